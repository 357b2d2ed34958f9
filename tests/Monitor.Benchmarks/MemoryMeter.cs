using System.Diagnostics;
using System.Globalization;

namespace Monitor.Benchmarks;

/// <summary>
/// Peak working set of a phase. On Linux the kernel keeps the peak resident set (VmHWM in /proc/&lt;pid&gt;/status)
/// and lets a process reset it by writing "5" to /proc/self/clear_refs, so each phase gets its own peak.
/// Elsewhere the process-lifetime peak (<see cref="Process.PeakWorkingSet64"/>) is all there is.
/// </summary>
public static class MemoryMeter
{
    /// <summary>Starts a new peak: after this, <see cref="PeakWorkingSetBytes"/> reports the peak since now (Linux).</summary>
    /// <returns>False when the peak cannot be reset (not Linux, or /proc not writable): the peak is then the process's.</returns>
    public static bool ResetPeak()
    {
        // Aggressive: compacts and gives freed memory back to the OS, so that earlier phases do not inflate this one.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static long PeakWorkingSetBytes() =>
        StatusKiB(Environment.ProcessId, "VmHWM:") is { } kib ? kib * 1024 : Process.GetCurrentProcess().PeakWorkingSet64;

    public static long WorkingSetBytes(int pid) =>
        StatusKiB(pid, "VmRSS:") is { } kib ? kib * 1024 : Process.GetProcessById(pid).WorkingSet64;

    /// <summary>Open handles of a process: file descriptors on Linux, the handle count elsewhere.</summary>
    public static int HandleCount(int pid)
    {
        var fds = $"/proc/{pid}/fd";
        return Directory.Exists(fds) ? Directory.GetFileSystemEntries(fds).Length : Process.GetProcessById(pid).HandleCount;
    }

    public static double Mib(long bytes) => bytes / (1024.0 * 1024.0);

    private static long? StatusKiB(int pid, string field)
    {
        var path = $"/proc/{pid}/status";
        if (!File.Exists(path))
        {
            return null;
        }
        foreach (var line in File.ReadLines(path))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                var digits = line[field.Length..].Trim().Split(' ')[0];
                return long.Parse(digits, CultureInfo.InvariantCulture);
            }
        }
        return null;
    }
}
