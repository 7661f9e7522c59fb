/** The built-in sources, as one namespace, for `env.fromSource(Sources.textFile(path), 'lines')`. */
import type { Source } from '../runtime/source.js';
import { CollectionSource } from './collection-source.js';
import { SequenceSource } from './sequence-source.js';
import { TextFileSource } from './text-file-source.js';

export const Sources = {
  /** The integers `from..to` inclusive, split evenly across parallel instances. */
  sequence(from: number, to: number): Source<number> {
    return new SequenceSource(from, to);
  },
  /** The given items in order, from one instance. */
  collection<T>(items: Iterable<T>): Source<T> {
    return new CollectionSource([...items]);
  },
  /** The lines of a text file, or of every file in a directory (spread across instances). */
  textFile(path: string): Source<string> {
    return new TextFileSource(path);
  },
} as const;
