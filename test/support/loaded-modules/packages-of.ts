/** The packages among loaded module URLs (`commander`, `@tensorflow/tfjs` …), as the loaded-modules scripts record them. */
export function packagesOf(loaded: readonly string[]): Set<string> {
  const names = loaded.flatMap((url) => {
    const path = url.split('/node_modules/').at(-1);
    if (path === undefined || path === url) return [];
    const [scope = '', name = ''] = path.split('/');
    return [scope.startsWith('@') ? `${scope}/${name}` : scope];
  });
  return new Set(names);
}
