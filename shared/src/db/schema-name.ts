/**
 * Schema names end up in `<schema>.<table>` references and DDL, so only plain lowercase
 * identifiers are accepted (no quoting games, no dots that would split the reference).
 */
export function assertSchemaName(schema: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`Invalid schema name "${schema}": use lowercase letters, digits and underscores`);
  }
}
