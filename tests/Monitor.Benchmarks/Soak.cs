using System.Diagnostics;
using System.Text;
using Monitor.Cli;

namespace Monitor.Benchmarks;

public sealed record SoakSample(TimeSpan At, long WorkingSetBytes, int Handles);

public sealed record SoakFigures(TimeSpan Duration, int FilesPushed, AuditResult Audit, IReadOnlyList<SoakSample> Samples)
{
    /// <summary>The first quarter is warm-up (JIT, first index load); flatness compares the second quarter with the last.</summary>
    public (double Early, double Late) WorkingSetMib => (Mib(Quarter(1).Select(s => s.WorkingSetBytes)), Mib(Quarter(3).Select(s => s.WorkingSetBytes)));

    public (double Early, double Late) Handles => (Median(Quarter(1).Select(s => (double)s.Handles)), Median(Quarter(3).Select(s => (double)s.Handles)));

    /// <summary>Flat: the late median within 10% (at least 16 MiB) of the early one, and at most 5 more handles.</summary>
    public bool Flat => WorkingSetMib.Late <= WorkingSetMib.Early + Math.Max(16, WorkingSetMib.Early * 0.1) && Handles.Late <= Handles.Early + 5;

    private IEnumerable<SoakSample> Quarter(int index)
    {
        var size = Math.Max(1, Samples.Count / 4);
        return Samples.Skip(index * size).Take(size);
    }

    private static double Mib(IEnumerable<long> bytes) => Median(bytes.Select(b => MemoryMeter.Mib(b)));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}

/// <summary>
/// `monitor run` as an operator runs it, under a steady drip of files for a bounded time: new feeds, re-pushed
/// content under new names (duplicates), unreadable files (quarantined), while its sweep runs every 15 s. The
/// child's working set and open handles are sampled throughout; at the end every file must be accounted for.
/// </summary>
public static class Soak
{
    private const int Requests = 200;

    public static async Task<SoakFigures> RunAsync(string connectionString, TimeSpan duration, TextWriter log, CancellationToken cancellationToken)
    {
        await using var bench = new BenchStorage(connectionString, "soak");
        var registerShape = new FeedShape(Records: 0, Requests, Density: 0.05, IndicatorMix.Parse(IndicatorMix.Default));
        await bench.UploadAsync("requests/register.csv", new FeedGenerator(registerShape).RegisterBytes(), cancellationToken);

        await using var monitor = MonitorProcess.Start(["run", "--poll-seconds", "0.5"], new Dictionary<string, string>
        {
            ["MonitorStorage"] = connectionString,
            ["Monitor__StoragePrefix"] = bench.Prefix,
            ["OverdueSweepSchedule"] = "*/15 * * * * *",
        });

        var samples = new List<SoakSample>();
        var clock = Stopwatch.StartNew();
        var nextSample = TimeSpan.Zero;
        var files = 0;
        byte[]? previous = null;
        while (clock.Elapsed < duration)
        {
            if (monitor.HasExited)
            {
                throw new InvalidOperationException($"monitor run exited with code {monitor.ExitCode} during the soak:\n{monitor.Tail(20)}");
            }
            var (name, content) = NextFile(files, registerShape, ref previous);
            await bench.UploadAsync(name, content, cancellationToken);
            files++;
            if (clock.Elapsed >= nextSample)
            {
                samples.Add(new SoakSample(clock.Elapsed, MemoryMeter.WorkingSetBytes(monitor.Pid), MemoryMeter.HandleCount(monitor.Pid)));
                nextSample += TimeSpan.FromSeconds(2);
            }
            await Task.Delay(250, cancellationToken);
        }
        log.WriteLine($"  soak: pushed {files} files in {clock.Elapsed.TotalSeconds:0} s; waiting for monitor run to account for all of them");

        var deadline = Stopwatch.StartNew();
        AuditResult audit;
        while (true)
        {
            audit = await FeedAudit.RunAsync(bench.Storage, cancellationToken);
            if (audit.Unaccounted.Count == 0 || deadline.Elapsed > TimeSpan.FromMinutes(3))
            {
                break;
            }
            await Task.Delay(1000, cancellationToken);
        }
        samples.Add(new SoakSample(clock.Elapsed, MemoryMeter.WorkingSetBytes(monitor.Pid), MemoryMeter.HandleCount(monitor.Pid)));
        await monitor.KillAsync(cancellationToken);
        return new SoakFigures(clock.Elapsed, files + 1, audit, samples);
    }

    /// <summary>Every 10th file re-pushes the previous content under a new name; every 25th cannot be read.</summary>
    private static (string Name, byte[] Content) NextFile(int i, FeedShape registerShape, ref byte[]? previous)
    {
        if (i % 25 == 24)
        {
            return ($"incidents/{FeedGenerator.Source}/broken-{i:D5}.csv", Encoding.UTF8.GetBytes("this,file,has,no,record id column\n1,2,3,4,5\n"));
        }
        if (i % 10 == 9 && previous is not null)
        {
            return ($"incidents/{FeedGenerator.Source}/again-{i:D5}.csv", previous);
        }
        var shape = registerShape with { Records = 300, Seed = registerShape.Seed + (ulong)i + 1 };
        previous = new FeedGenerator(shape).FeedBytes();
        return ($"incidents/{FeedGenerator.Source}/feed-{i:D5}.csv", previous);
    }

    public static IEnumerable<string> Describe(SoakFigures soak)
    {
        var outcomes = string.Join(", ", soak.Audit.Entries.Where(e => e.Container.EndsWith("incoming", StringComparison.Ordinal))
            .GroupBy(e => e.Outcome ?? "none").OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}"));
        var (wsEarly, wsLate) = soak.WorkingSetMib;
        var (fdEarly, fdLate) = soak.Handles;
        yield return $"soak: `monitor run` for {soak.Duration.TotalSeconds:0} s, {soak.FilesPushed} blobs (register included): {outcomes}; {soak.Audit.Unaccounted.Count} unaccounted";
        yield return $"soak: working set median {wsEarly:0.0} MiB (2nd quarter) -> {wsLate:0.0} MiB (last quarter); open handles {fdEarly:0} -> {fdLate:0}; {(soak.Flat ? "flat" : "GROWING")}";
        yield return "soak: samples (s: MiB/handles) " + string.Join(" ", soak.Samples.Where((_, i) => i % 5 == 0).Select(s => $"{s.At.TotalSeconds:0}:{MemoryMeter.Mib(s.WorkingSetBytes):0}/{s.Handles}"));
    }
}
