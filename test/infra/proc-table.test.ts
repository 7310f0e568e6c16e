import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { allProcesses, commandLine, processInfo, withDescendants } from '../../infra/proc-table';

describe('the process table', () => {
  it('describes this process: its parent, state, start time and command line', () => {
    const me = processInfo(process.pid);
    expect(me).toMatchObject({ pid: process.pid, ppid: process.ppid, state: expect.stringMatching(/^[RS]$/) });
    expect(me!.startTime).toMatch(/^\d+$/);
    expect(commandLine(process.pid)).toContain(process.argv[1]);
  });

  it('says nothing of a pid that does not exist', () => {
    expect(processInfo(2 ** 22 + 1)).toBeUndefined();
    expect(commandLine(2 ** 22 + 1)).toBeUndefined();
  });

  it('finds a child and its grandchild under this process, and a command that names them', async () => {
    const child = spawn('sh', ['-c', 'sleep 30 & wait'], { stdio: 'ignore' });
    try {
      let grandchild: number | undefined;
      for (let i = 0; i < 50 && grandchild === undefined; i++) {
        grandchild = allProcesses().find((p) => p.ppid === child.pid && p.command.startsWith('sleep'))?.pid;
        if (grandchild === undefined) await new Promise((r) => setTimeout(r, 20));
      }
      expect(grandchild).toBeDefined();
      const family = withDescendants([process.pid]);
      expect(family).toEqual(expect.arrayContaining([process.pid, child.pid, grandchild]));
      expect(withDescendants([child.pid!])).not.toContain(process.pid);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  });
});
