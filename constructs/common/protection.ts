import { TerraformResource } from 'cdktf';

/**
 * BAK-4: marks a state-holding resource so an ordinary `terraform apply`/`destroy` cannot
 * delete it. Removing the protection is a reviewed change of its own.
 */
export function protectFromDestroy(resource: TerraformResource, enabled: boolean): void {
  if (enabled) {
    resource.lifecycle = { ...(resource.lifecycle ?? {}), preventDestroy: true };
  }
}

/** The names of the protected resources, for policy checks and tests. */
export function isProtected(resource: TerraformResource): boolean {
  return resource.lifecycle?.preventDestroy === true;
}
