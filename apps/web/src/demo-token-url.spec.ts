import { demoTokenUrl } from './demo-token-url';

describe('demoTokenUrl', () => {
  it('asks the gateway on its HTTP side, beside the WebSocket path', () => {
    expect(demoTokenUrl('ws://localhost:8090/ws', 'u-ada', 'f1')).toBe(
      'http://localhost:8090/demo-token?sub=u-ada&forum=f1',
    );
    expect(demoTokenUrl('wss://rt.example.com/realtime/ws?x=1', 'u 1', 'f&2')).toBe(
      'https://rt.example.com/realtime/demo-token?sub=u+1&forum=f%262',
    );
  });
});
