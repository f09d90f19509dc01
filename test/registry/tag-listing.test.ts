// Tag listing: n= paging through Link rel="next", origin checks, page and size caps (nock).
import nock from 'nock';
import { useNockedRegistryClients } from '../support/registry-nock.js';

const makeClient = useNockedRegistryClients();

describe('tag listing', () => {
  const tagsPath = '/v2/acme/app/tags/list';

  test('follows relative and absolute same-origin Link rel="next"', async () => {
    nock('https://ghcr.io')
      .get(tagsPath)
      .query({ n: '2' })
      .reply(
        200,
        { name: 'acme/app', tags: ['1.0', '1.1'] },
        { link: `<${tagsPath}?last=1.1&n=2>; rel="next"` },
      )
      .get(tagsPath)
      .query({ last: '1.1', n: '2' })
      .reply(
        200,
        { name: 'acme/app', tags: ['1.2', '2.0'] },
        { link: `<https://ghcr.io${tagsPath}?last=2.0&n=2>; rel="next"` },
      )
      .get(tagsPath)
      .query({ last: '2.0', n: '2' })
      .reply(200, { name: 'acme/app', tags: ['2.1'] });
    const c = makeClient({ limits: { tagPageSize: 2 } });
    expect(await c.listTags('ghcr.io', 'acme/app')).toEqual(['1.0', '1.1', '1.2', '2.0', '2.1']);
    expect(c.stats().requests.byKind.tags).toBe(3);
  });

  test('a next page on another origin is refused', async () => {
    nock('https://ghcr.io')
      .get(tagsPath)
      .query(true)
      .reply(
        200,
        { tags: ['1.0'] },
        { link: '<https://evil.example/v2/acme/app/tags/list?last=1.0>; rel="next"' },
      );
    await expect(makeClient().listTags('ghcr.io', 'acme/app')).rejects.toMatchObject({ code: 'protocol' });
  });

  test('the page cap stops paging with a warning', async () => {
    nock('https://ghcr.io')
      .persist()
      .get(tagsPath)
      .query(true)
      .reply(200, { tags: ['x'] }, { link: `<${tagsPath}?last=x&n=1>; rel="next"` });
    const warnings: string[] = [];
    const c = makeClient({
      limits: { maxTagPages: 3 },
      logger: { debug: () => {}, warn: (m) => warnings.push(m) },
    });
    expect(await c.listTags('ghcr.io', 'acme/app')).toEqual(['x']);
    expect(c.stats().requests.byKind.tags).toBe(3);
    expect(warnings).toEqual([expect.stringContaining('cut at 3 pages')]);
  });

  test('names no reference can carry are dropped, and the tag cap stops paging with a warning', async () => {
    nock('https://ghcr.io')
      .get(tagsPath)
      .query(true)
      .reply(
        200,
        { tags: ['1.0', 'x'.repeat(129), '-bad', 'a/b', '', `ok${'y'.repeat(126)}`, '1.1'] },
        { link: `<${tagsPath}?last=1.1&n=7>; rel="next"` },
      )
      .get(tagsPath)
      .query({ last: '1.1', n: '7' })
      .reply(200, { tags: ['1.2', '1.3', '1.4'] }, { link: `<${tagsPath}?last=1.4&n=7>; rel="next"` });
    const warnings: string[] = [];
    const c = makeClient({
      limits: { maxTags: 4 },
      logger: { debug: () => {}, warn: (m) => warnings.push(m) },
    });
    expect(await c.listTags('ghcr.io', 'acme/app')).toEqual(['1.0', `ok${'y'.repeat(126)}`, '1.1', '1.2']);
    expect(c.stats().requests.byKind.tags).toBe(2);
    expect(warnings).toEqual([expect.stringContaining('cut at 4 tags')]);
  });

  test('an oversized page is too-large', async () => {
    nock('https://ghcr.io')
      .get(tagsPath)
      .query(true)
      .reply(200, { tags: Array.from({ length: 5000 }, (_, i) => `t${i}`) });
    await expect(
      makeClient({ limits: { tagPageBytes: 1024 } }).listTags('ghcr.io', 'acme/app'),
    ).rejects.toMatchObject({
      code: 'too-large',
    });
  });
});
