/** Small real filesystems for disk-full tests: a tmpfs of a few hundred KiB that a test can fill. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, statSync, unlinkSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  dir: string;
  /** Fills the disk until at most `leaveBytes` are free (a filler file); returns its path. */
  fill(leaveBytes?: number): string;
  /** Removes the filler files, freeing the space again. */
  free(): void;
  dispose(): void;
}

/** Why a small disk cannot be had here (not root, no mount), or null when it can. */
export const smallDiskUnavailable: string | null = probe();

function probe(): string | null {
  if (process.platform !== 'linux') return `disk-full tests need Linux tmpfs (platform ${process.platform})`;
  if (process.getuid?.() !== 0) return 'disk-full tests mount a tmpfs and need root';
  try {
    const disk = mountSmallDisk(64 * 1024);
    disk.dispose();
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Mounts a tmpfs of `bytes` (rounded up to pages) on a fresh temp folder. Root only. */
export function mountSmallDisk(bytes: number): SmallDisk {
  const dir = mkdtempSync(join(tmpdir(), 'labbook-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const fillers: string[] = [];
  return {
    dir,
    fill(leaveBytes = 0) {
      const path = join(dir, `.filler-${fillers.length}`);
      fillers.push(path);
      const fd = openSync(path, 'w');
      const chunk = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      if (leaveBytes > 0) {
        const size = statSync(path).size;
        writeFileSync(path, Buffer.alloc(Math.max(0, size - leaveBytes), 1));
      }
      return path;
    },
    free() {
      for (const path of fillers.splice(0)) unlinkSync(path);
    },
    dispose() {
      try {
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
