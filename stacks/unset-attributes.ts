/**
 * The provider classes write every attribute of their schema into a resource's Terraform JSON,
 * set or not: about half the entries cdktf resolves at each synth are `undefined` (95,000 of
 * 198,000 over the four environments; network policies, Helm releases and pod templates most).
 * cdktf's resolve drops them, but only after building a resolution context for the key and for
 * the value of each. `dropUnsetAttributes` makes every resource's `toTerraform()` leave them out
 * before cdktf resolves it: the same JSON, for about a tenth less synth CPU (A/B of the whole
 * synth, ten alternating runs each: 5.15 s of user time on average against 5.66 s).
 * determinism.test.ts synthesizes once without it
 * and proves the output byte-identical. main.ts and the tests' setup install it.
 */
import { TerraformResource } from 'cdktf';

/**
 * A copy of `value` without the `undefined` entries of its plain objects and arrays, as deep as
 * they go. A token or any other object with a prototype is kept as it is, and so is a literal
 * IResolvable (`{ resolve() {...} }`).
 */
export function withoutUndefined<T>(value: T): T {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) if (item !== undefined) out.push(withoutUndefined(item));
    return out as T;
  }
  if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
  if (typeof (value as { resolve?: unknown }).resolve === 'function') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out as T;
}

const cdktfToTerraform = TerraformResource.prototype.toTerraform;

function leanToTerraform(this: TerraformResource): any {
  return withoutUndefined(cdktfToTerraform.call(this));
}

/** Every resource's `toTerraform()` leaves out its unset attributes (see above). */
export function dropUnsetAttributes(): void {
  TerraformResource.prototype.toTerraform = leanToTerraform;
}

/** cdktf's own `toTerraform()` again (determinism.test.ts compares the two). */
export function keepUnsetAttributes(): void {
  TerraformResource.prototype.toTerraform = cdktfToTerraform;
}
