import { MAX_BODY_CHARS, validate } from '@threadcast/contracts';
import {
  CreateCommentRequest,
  DeleteCommentRequest,
  PutThreadRequest,
  PutUserRequest,
} from './request-schemas';

describe('request schemas', () => {
  it('follow the contract field limits', () => {
    expect(
      validate(CreateCommentRequest, { author: { id: 'u1' }, body: 'x'.repeat(MAX_BODY_CHARS) }).ok,
    ).toBe(true);
    expect(
      validate(CreateCommentRequest, { author: { id: 'u1' }, body: 'x'.repeat(MAX_BODY_CHARS + 1) }).ok,
    ).toBe(false);
    expect(validate(PutUserRequest, { name: 'x'.repeat(101) }).ok).toBe(false);
    expect(validate(PutThreadRequest, { forumId: 'f', moderation: 'premoderated', closed: true }).ok).toBe(
      true,
    );
  });

  it('refuse fields the server sets', () => {
    expect(validate(CreateCommentRequest, { author: { id: 'u1' }, body: 'x', eventId: 'e' })).toMatchObject({
      field: 'eventId',
    });
    expect(validate(PutUserRequest, { id: 'u1', name: 'A' })).toMatchObject({ field: 'id' });
    expect(validate(DeleteCommentRequest, {})).toMatchObject({ ok: false, field: 'deletedBy' });
  });
});
