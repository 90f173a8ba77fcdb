import { parsePerfCsv } from './syscall-count';

describe('syscall counts', () => {
  it('reads perf stat -x , output', () => {
    const text = [
      '',
      '120345,,raw_syscalls:sys_enter,2001234567,100.00,,',
      '1500,,syscalls:sys_enter_write,2001234567,100.00,,',
      '98000,,syscalls:sys_enter_writev,2001234567,100.00,,',
      '300,,syscalls:sys_enter_read,2001234567,100.00,,',
      '2500,,syscalls:sys_enter_epoll_pwait,2001234567,100.00,,',
    ].join('\n');
    expect(parsePerfCsv(text)).toEqual({ all: 120345, write: 1500, writev: 98000, read: 300, epoll: 2500 });
  });

  it('gives nothing when an event was not counted', () => {
    expect(parsePerfCsv('<not counted>,,raw_syscalls:sys_enter,0,0.00,,')).toBeUndefined();
  });
});
