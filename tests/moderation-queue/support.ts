import { createHash, randomBytes } from 'node:crypto';
import { fixtures, uuidv7, type CommentsSubmittedV1 } from '@parley/shared';

const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');

/** A `comments.submitted` envelope from the shared fixture with fresh ids and a fresh author. */
export function submittedEnvelope(site: string, n: number): CommentsSubmittedV1 {
  const f = fixtures.commentsSubmitted;
  const who = randomBytes(8).toString('hex');
  return {
    ...f,
    id: uuidv7(),
    site,
    occurredAt: new Date().toISOString(),
    payload: {
      ...f.payload,
      commentId: uuidv7(),
      threadId: `thread-${n % 50}`,
      text: `Comment ${n}: ${f.payload.text} (${who})`,
      author: { ...f.payload.author, emailHash: hex(`e${who}`), ipHash: hex(`i${who}`), fingerprint: hex(`f${who}`) },
      submittedAt: new Date().toISOString(),
    },
  };
}
