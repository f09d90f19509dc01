// Extraction: every base image a Dockerfile's build pulls, with the exact text range an update
// must edit. Pure: no I/O, and never throws on any input.

import { Arg, Copy, DockerfileParser, From, Run, type Flag, type Instruction } from 'dockerfile-ast';
import { parseImageReference } from '../image/reference.js';
import { maskForParser, readParserDirectives, type ParserDirectives } from './directives.js';
import { findEditSite } from './edit-site.js';
import { checkLimits } from './limits.js';
import { ExpansionBudget, expandWord, piecesText, type Piece, type Scope, type Value } from './expand.js';
import { LineIndex, sizeProblem } from './source-text.js';
import type { ExtractResult, ImageSource, SkipReason, TextRange } from './types.js';
import { errorMessage } from '../errors.js';
import { utf8Length } from '../text-bytes.js';

export function extractImages(file: string, text: string): ExtractResult {
  const wholeFile = (reason: SkipReason, detail: string): ExtractResult => ({
    file,
    images: [],
    skipped: [{ line: 1, written: '', reason, detail }],
  });
  // The readers' limit (MAX_DOCKERFILE_BYTES), for text that did not come through one.
  const tooLarge = sizeProblem(utf8Length(text));
  if (tooLarge) return wholeFile('too-large', tooLarge);
  if (text.includes('\0')) return wholeFile('binary', 'the file contains NUL bytes');
  try {
    const directives = readParserDirectives(text);
    const exceeded = checkLimits(text, directives.escape);
    if (exceeded) {
      const { line, detail } = exceeded;
      return { file, images: [], skipped: [{ line, written: '', reason: 'too-large', detail }] };
    }
    return new Extraction(file, text, directives).run();
  } catch (error) {
    // A parser bug must not stop a scan of the other files.
    return wholeFile('invalid', `could not parse the file: ${errorMessage(error)}`);
  }
}

/** Where a use stands and what it says besides the reference. */
interface UseSite {
  instruction: number;
  source: ImageSource;
  stage: string | null;
  platform: string | null;
}

type Variables = Map<string, Value>;

class Extraction {
  private readonly result: ExtractResult;
  private readonly directives: ParserDirectives;
  private readonly lines: LineIndex;
  private readonly budget = new ExpansionBudget();

  constructor(
    file: string,
    private readonly text: string,
    directives: ParserDirectives,
  ) {
    this.result = { file, images: [], skipped: [] };
    this.directives = directives;
    this.lines = new LineIndex(text);
  }

  run(): ExtractResult {
    const syntax = this.directives.syntax;
    if (syntax) {
      const pieces = [{ text: syntax.value, start: syntax.start, arg: null }];
      const site = { instruction: syntax.lineStart, source: 'syntax', stage: null, platform: null } as const;
      this.addReference(site, pieces, { start: syntax.start, end: syntax.end });
    }
    const instructions = DockerfileParser.parse(maskForParser(this.text, this.directives)).getInstructions();
    const allStages = new Set(instructions.flatMap((i) => (i instanceof From ? [stageName(i)] : [])));
    const stagesSoFar = new Set<string | null>();
    const globals: Variables = new Map();
    let stageVariables: Variables | null = null;
    for (const instruction of instructions) {
      if (instruction instanceof Arg) {
        this.declare(instruction, stageVariables ?? globals, stageVariables ? globals : null);
      } else if (instruction instanceof From) {
        this.from(instruction, globals, stagesSoFar);
        stagesSoFar.add(stageName(instruction));
        stageVariables = new Map();
      } else if (stageVariables && instruction instanceof Copy) {
        const from = instruction.getFlags().find((flag) => flag.getName() === 'from');
        if (from)
          this.stageSource(instruction, {
            source: 'copy-from',
            option: from,
            variables: stageVariables,
            allStages,
          });
      } else if (stageVariables && instruction instanceof Run) {
        for (const mount of instruction.getFlags().filter((flag) => flag.getName() === 'mount')) {
          const from = mount.getOption('from');
          if (from)
            this.stageSource(instruction, {
              source: 'run-mount',
              option: from,
              variables: stageVariables,
              allStages,
            });
        }
      }
    }
    return this.result;
  }

  /**
   * ARGs before the first FROM are global and visible to FROM lines only; an ARG in a stage is
   * visible to that stage's later instructions, and without a value takes the global default.
   */
  private declare(instruction: Arg, scope: Variables, globals: Scope | null): void {
    for (const { name, valueRange } of this.argItems(instruction)) {
      if (valueRange === null) {
        if (globals) scope.set(name, globals.get(name) ?? null);
        else if (!scope.has(name)) scope.set(name, null);
        continue;
      }
      const { escape } = this.directives;
      const value = expandWord(this.text, { ...valueRange, escape, scope, arg: name, budget: this.budget });
      // An unresolvable default counts as none; one past a limit makes every use say so.
      // The message names the ARG that first went past the limit, not each one built on it.
      if (value.ok || !value.limit) {
        scope.set(name, value.ok ? value.pieces : null);
      } else {
        const inherited = value.error.startsWith('ARG ');
        scope.set(name, { error: inherited ? value.error : `ARG ${name} ${value.error}` });
      }
    }
  }

  /**
   * An ARG's words, each `name` or `name=default`, as BuildKit reads them. The parser also accepts
   * ENV's legacy `name value` form for ARG, which Docker does not: `ARG A b` declares A and b, both
   * without a default, so the words after such a name are read again one by one.
   */
  private argItems(instruction: Arg): Array<{ name: string; valueRange: TextRange | null }> {
    const items: Array<{ name: string; valueRange: TextRange | null }> = [];
    for (const property of instruction.getProperties()) {
      const name = property.getName();
      const valueRange = property.getValueRange();
      const nameEnd = this.offset(property.getNameRange().end);
      if (valueRange === null || this.text[nameEnd] === '=') {
        items.push({ name, valueRange: valueRange && this.range(valueRange) });
        continue;
      }
      items.push({ name, valueRange: null });
      const value = this.range(valueRange);
      for (const word of instruction.getArguments()) {
        const range = this.range(word.getRange());
        if (range.start < value.start || range.end > value.end) continue;
        const text = this.text.slice(range.start, range.end);
        const equals = text.indexOf('=');
        if (equals < 0) items.push({ name: text, valueRange: null });
        else
          items.push({
            name: text.slice(0, equals),
            valueRange: { start: range.start + equals + 1, end: range.end },
          });
      }
    }
    return items;
  }

  private from(instruction: From, globals: Scope, stagesSoFar: ReadonlySet<string | null>): void {
    const image = instruction.getArguments()[0];
    if (!image) return;
    const site: UseSite = {
      instruction: this.offset(instruction.getRange().start),
      source: 'from',
      stage: stageName(instruction),
      platform:
        instruction
          .getFlags()
          .find((flag) => flag.getName() === 'platform')
          ?.getValue() ?? null,
    };
    const pieces = this.expand(site, this.range(image.getRange()), globals);
    if (!pieces) return;
    const written = piecesText(pieces);
    if (written === 'scratch') this.skip(site, written, 'scratch');
    // A stage shadows an image of the same name only after its definition.
    else if (stagesSoFar.has(written.toLowerCase())) this.skip(site, written, 'stage');
    else this.addReference(site, pieces, this.range(image.getRange()));
  }

  /** `COPY --from=` and `RUN --mount=…,from=`: a stage (by name, or by index) or an image. */
  private stageSource(
    instruction: Instruction,
    {
      source,
      option,
      variables,
      allStages,
    }: {
      source: ImageSource;
      option: Pick<Flag, 'getValueRange'>;
      variables: Scope;
      allStages: ReadonlySet<string | null>;
    },
  ): void {
    const valueRange = option.getValueRange();
    if (!valueRange) return;
    const site: UseSite = {
      instruction: this.offset(instruction.getRange().start),
      source,
      stage: null,
      platform: null,
    };
    const range = this.range(valueRange);
    const pieces = this.expand(site, range, variables);
    if (!pieces) return;
    const written = piecesText(pieces);
    if (/^\d+$/.test(written) || allStages.has(written.toLowerCase())) this.skip(site, written, 'stage');
    else this.addReference(site, pieces, range);
  }

  private expand(site: UseSite, range: TextRange, scope: Scope): Piece[] | null {
    const { escape } = this.directives;
    const expansion = expandWord(this.text, { ...range, escape, scope, budget: this.budget });
    if (expansion.ok) return expansion.pieces;
    this.skip(site, this.text.slice(range.start, range.end), 'variable', expansion.error);
    return null;
  }

  private addReference(site: UseSite, pieces: Piece[], wordRange: TextRange): void {
    const written = piecesText(pieces);
    const parsed = parseImageReference(written);
    if (!parsed.ok) {
      this.skip(site, written, 'invalid', parsed.error);
      return;
    }
    this.result.images.push({
      ...this.lines.lineColumn(site.instruction),
      source: site.source,
      written,
      ...parsed.ref,
      stage: site.stage,
      platform: site.platform,
      edit: findEditSite(pieces, parsed.ref, wordRange),
    });
  }

  private skip(site: UseSite, written: string, reason: SkipReason, detail?: string): void {
    const { line } = this.lines.lineColumn(site.instruction);
    this.result.skipped.push(
      detail === undefined ? { line, written, reason } : { line, written, reason, detail },
    );
  }

  private offset(position: { line: number; character: number }): number {
    return this.lines.offsetAt(position);
  }

  private range(range: { start: { line: number; character: number }; end: typeof range.start }): TextRange {
    return { start: this.offset(range.start), end: this.offset(range.end) };
  }
}

/** The `AS name` of a FROM, lower-cased as Docker matches stage names. */
function stageName(instruction: From): string | null {
  const [, as, name] = instruction.getArguments();
  return as?.getValue().toLowerCase() === 'as' && name ? name.getValue().toLowerCase() : null;
}
