// Runs after every test file: a file that used nock leaves node's http hooked (core modules are shared
// by the files of one jest worker), and later files must get real sockets, keep-alive pools included.
// The import answers the file's own nock instance when it loaded one; otherwise it hooks and unhooks.
afterAll(async () => {
  const { default: nock } = await import('nock');
  nock.restore();
});
