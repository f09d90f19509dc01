// The kinds of update Freshbase proposes for an image reference. They belong to the image (a
// digest re-published, a tag's version numbers moved) and are named by config, plan and versioning.

/** Every kind of update, in order of how much they change. The config offers all but `pin`. */
export const UPDATE_KINDS = ['pin', 'digest', 'patch', 'minor', 'major'] as const;
export type UpdateKind = (typeof UPDATE_KINDS)[number];

/** The kinds a config may offer (`updates:`): `pin` is governed by `pin:` instead. */
export const OFFERED_KINDS = ['digest', 'patch', 'minor', 'major'] as const satisfies readonly UpdateKind[];
export type OfferedKind = (typeof OFFERED_KINDS)[number];
