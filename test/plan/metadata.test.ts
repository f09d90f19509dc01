// The hidden metadata block: the order it stores updates in, and what it does with hostile text.
import { metadataFor, readMetadata, renderMetadata } from '../../src/plan/metadata.js';
import type { PlannedUpdate } from '../../src/plan/types.js';
import { digest } from './fixtures.js';

function update(file: string, toHex: string): PlannedUpdate {
  return {
    file,
    imageName: 'docker.io/library/python',
    from: { tag: '3.12', digest: null },
    to: { tag: '3.12', digest: digest(toHex) },
    kind: 'pin',
  } as PlannedUpdate;
}

const stored = (file: string, toHex: string) => ({
  file,
  imageName: 'docker.io/library/python',
  fromTag: '3.12',
  fromDigest: null,
  toTag: '3.12',
  toDigest: digest(toHex),
  kind: 'pin',
});

describe('metadataFor', () => {
  it('orders updates by change, in the order each change first appears, then by file', () => {
    const updates = [
      update('c', 'b'),
      update('a', 'a'),
      update('d', 'b'),
      update('b', 'a'),
      update('e', 'c'),
    ];
    expect(metadataFor('g', updates)).toEqual({
      version: 1,
      group: 'g',
      updates: [stored('c', 'b'), stored('d', 'b'), stored('a', 'a'), stored('b', 'a'), stored('e', 'c')],
    });
  });

  it('round-trips exactly, sharing one entry per change', () => {
    const metadata = metadataFor('g', [update('x', 'b'), update('y', 'a'), update('z', 'b')]);
    const block = renderMetadata(metadata);
    expect(block).toBe(
      '<!-- freshbase:metadata {"v":1,"group":"g","changes":[' +
        `["docker.io/library/python","3.12",null,"3.12","${digest('b')}","pin",["x","z"]],` +
        `["docker.io/library/python","3.12",null,"3.12","${digest('a')}","pin",["y"]]]} -->`,
    );
    expect(readMetadata(block)).toEqual(metadata);
  });

  it('escapes what could close the comment, and reads back the last block only', () => {
    const metadata = metadataFor('<g>', [update('--><script>x</script>', 'a')]);
    const block = renderMetadata(metadata);
    expect(block).toContain('"\\u003cg\\u003e"');
    expect(block).toContain('"--\\u003e\\u003cscript\\u003ex\\u003c/script\\u003e"');
    expect(block.match(/-->/g)).toHaveLength(1);
    const older = renderMetadata(metadataFor('old', [update('o', 'b')]));
    expect(readMetadata(`${older}\n${block}`)).toEqual(metadata);
  });
});
