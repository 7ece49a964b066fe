using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Dnet.Shard.Profiling;

/// <summary>Sequential read speed of a freshly written file that has been dropped from the page cache.</summary>
internal static class DiskBenchmark
{
    private const int FileBytes = 32 * 1024 * 1024;
    private const int ChunkBytes = 1024 * 1024;
    private const int PosixFadvDontNeed = 4;

    /// <summary>GB/s, and whether the page cache could be dropped first (otherwise the figure is a cache read).</summary>
    public static (double Gbps, bool Uncached) ReadGbps(string directory)
    {
        string path = Path.Combine(directory, $".dnet-disk-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var chunk = new byte[ChunkBytes];
            Random.Shared.NextBytes(chunk);
            bool uncached;
            using (var write = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
            {
                for (int written = 0; written < FileBytes; written += ChunkBytes)
                {
                    write.Write(chunk);
                }
                write.Flush(flushToDisk: true);
                uncached = DropFromPageCache(write);
            }

            long start = Stopwatch.GetTimestamp();
            using (var read = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None, 0, FileOptions.SequentialScan))
            {
                while (read.Read(chunk) > 0)
                {
                }
            }
            return (FileBytes / Stopwatch.GetElapsedTime(start).TotalSeconds / 1e9, uncached);
        }
        finally
        {
            File.Delete(path);
        }
    }

    // Clean pages (written and fsynced) are evicted by POSIX_FADV_DONTNEED, so the read that follows comes from the disk.
    private static bool DropFromPageCache(FileStream file) =>
        OperatingSystem.IsLinux() && PosixFadvise((int)file.SafeFileHandle.DangerousGetHandle(), 0, 0, PosixFadvDontNeed) == 0;

    // DllImport rather than LibraryImport: the generated stubs need unsafe code, which this project does not enable.
    [DllImport("libc", EntryPoint = "posix_fadvise")]
    private static extern int PosixFadvise(int fd, long offset, long length, int advice);
}
