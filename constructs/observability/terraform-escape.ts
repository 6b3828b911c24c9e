/**
 * Terraform reads every string of a JSON configuration as a template: `${...}` is an
 * interpolation and `%{...}` a directive. Text meant for another program (Logstash patterns,
 * shell scripts, Beats configuration) escapes both so it reaches that program unchanged.
 */
export function escapeTemplate(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/** The text Terraform hands to the program for an `escapeTemplate`d string. */
export function unescapeTemplate(text: string): string {
  return text.replace(/\$\$\{/g, () => '${').replace(/%%\{/g, () => '%{');
}
