import { HttpError, errorBody, kafkaUnavailable } from './http-error';

describe('HttpError', () => {
  it('has the API error shape, with field only when there is one', () => {
    expect(new HttpError(400, 'invalid_request', 'body: required', { field: 'body' }).body()).toEqual({
      error: { code: 'invalid_request', message: 'body: required', field: 'body' },
    });
    expect(errorBody('not_found', 'no route')).toEqual({ error: { code: 'not_found', message: 'no route' } });
  });

  it('tells the client when to retry a Kafka outage', () => {
    expect(kafkaUnavailable('down', 5)).toMatchObject({
      status: 503,
      code: 'kafka_unavailable',
      headers: { 'retry-after': '5' },
    });
  });
});
