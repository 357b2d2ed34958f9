using System.Diagnostics;
using System.Text;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;

namespace Monitor.Benchmarks;

/// <summary>`generate --size 1GiB --out FILE`: a reproducible CSV feed of about that size, and its register beside it.</summary>
public static class GenerateCommand
{
    public static async Task<int> RunAsync(BenchmarkArguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var size = BenchmarkArguments.ParseSize(arguments.Required("--size"));
        var path = Path.GetFullPath(arguments.Required("--out"));
        var shape = new FeedShape(
            Records: long.MaxValue,
            Requests: (int)arguments.Long("--requests", 10_000),
            Density: arguments.Double("--density", 0.01, 0, 1),
            Mix: IndicatorMix.Parse(arguments.Text("--mix") ?? IndicatorMix.Default),
            Seed: (ulong)arguments.Long("--seed", 20261120));
        var generator = new FeedGenerator(shape);
        var registerPath = RegisterPathFor(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var clock = Stopwatch.StartNew();
        long records;
        await using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20))
        {
            records = generator.WriteFeed(writer, size);
        }
        await using (var writer = new StreamWriter(registerPath, append: false, new UTF8Encoding(false), 1 << 16))
        {
            generator.WriteRegister(writer);
        }
        cancellationToken.ThrowIfCancellationRequested();
        output.WriteLine($"wrote {path}: {new FileInfo(path).Length:N0} bytes, {records:N0} records ({generator.MatchedRecords(records):N0} match, density {shape.Density}) in {clock.Elapsed.TotalSeconds:0.0} s");
        output.WriteLine($"wrote {registerPath}: {shape.Requests:N0} requests");
        output.WriteLine($"ingest it with: dotnet run -c Release --project tests/Monitor.Benchmarks -- ingest --file {path} --register {registerPath}");
        return 0;
    }

    public static string RegisterPathFor(string feedPath) =>
        Path.Combine(Path.GetDirectoryName(feedPath)!, Path.GetFileNameWithoutExtension(feedPath) + ".register.csv");
}

/// <summary>
/// `ingest --file FILE [--register R]`: one file through the pipeline (FeedIngestor.IngestAsync, as the blob trigger
/// calls it) with this process's peak working set measured over the ingest alone (uploads excluded).
/// </summary>
public static class IngestFileCommand
{
    public static async Task<int> RunAsync(BenchmarkArguments arguments, TextWriter output, CancellationToken cancellationToken)
    {
        var file = Path.GetFullPath(arguments.Required("--file"));
        if (!File.Exists(file))
        {
            throw new ArgumentException($"--file {file}: no such file");
        }
        var register = arguments.Text("--register") is { } r ? Path.GetFullPath(r) : null;
        if (register is not null && !File.Exists(register))
        {
            throw new ArgumentException($"--register {register}: no such file");
        }
        var source = arguments.Text("--source") ?? FeedGenerator.Source;

        var (connection, azurite) = await BenchmarkRun.StorageAsync(cancellationToken);
        await using var _ = azurite;
        await using var bench = new BenchStorage(connection, "ingest");
        await bench.Storage.EnsureCreatedAsync(cancellationToken);
        if (register is not null)
        {
            await PushAsync(bench, register, ["--kind", "requests"], cancellationToken);
            var registered = await bench.Ingestor.IngestAsync("requests/" + Path.GetFileName(register), cancellationToken);
            output.WriteLine($"register {Path.GetFileName(register)}: {registered.Outcome}, {registered.Records:N0} requests, {registered.Rejects} rejects");
        }
        // `monitor push` in its own process: the upload's buffers never count towards this process's working set.
        var upload = Stopwatch.StartNew();
        await PushAsync(bench, file, ["--kind", "incidents", "--source", source], cancellationToken);
        var blob = $"incidents/{source}/{Path.GetFileName(file)}";
        output.WriteLine($"pushed {new FileInfo(file).Length:N0} bytes as {blob} with `monitor push` in {upload.Elapsed.TotalSeconds:0.0} s");

        var resettable = MemoryMeter.ResetPeak();
        var startMib = MemoryMeter.Mib(MemoryMeter.PeakWorkingSetBytes());
        var before = bench.Counter.Snapshot();
        using var sampler = new PeakSampler();
        var clock = Stopwatch.StartNew();
        var run = await bench.Ingestor.IngestAsync(blob, cancellationToken);
        clock.Stop();
        var counts = bench.Counter.Snapshot().Minus(before);
        var peakMib = MemoryMeter.Mib(MemoryMeter.PeakWorkingSetBytes());

        output.WriteLine($"ingest: {run.Outcome} ({run.Format}), {run.Records:N0} records, {run.MatchedRecords:N0} matched, {run.Matches:N0} matches, {run.Events:N0} events, {run.Rejects:N0} rejects, {run.Warnings:N0} warnings in {clock.Elapsed.TotalSeconds:0.0} s ({run.Records / clock.Elapsed.TotalSeconds:N0} records/s, {new FileInfo(file).Length / clock.Elapsed.TotalSeconds / (1 << 20):0.0} MiB/s)");
        output.WriteLine($"storage transactions: {counts.Total:N0} ({counts}); {counts.EntitiesWritten:N0} entities written");
        output.WriteLine($"working set: {startMib:0.0} MiB before the ingest, peak {peakMib:0.0} MiB during it ({(resettable ? "VmHWM reset before the ingest" : "process-lifetime peak: the OS cannot reset it")}); GC heap peak sampled {MemoryMeter.Mib(sampler.PeakManagedBytes):0.0} MiB");
        // After the clock stopped: the rows the matches cost (one Matches row per match, an event row only for a clock
        // event), and what writing just those rows costs at the ceiling, one full transaction per partition.
        var (ceiling, stored) = await new SideBySide(connection, BenchmarkRun.WriteParallelism()).CeilingAsync(bench, cancellationToken);
        var rowsPerMatch = run.MatchedRecords == 0 ? 0 : (stored.MatchRows + stored.EventRows) / (double)run.MatchedRecords;
        output.WriteLine($"rows: {stored.MatchRows:N0} Matches + {stored.EventRows:N0} RequestEvents for {run.MatchedRecords:N0} matched records ({rowsPerMatch:0.000} per matched record)");
        output.WriteLine($"ceiling: the same rows re-upserted in {ceiling.Transactions?.Total:N0} transactions (one per partition and 100 rows) take {ceiling.Elapsed.TotalSeconds:0.0} s ({ceiling.EntitiesPerSecond:N0} entities/s)");
        output.WriteLine($"outcome={run.Outcome} records={run.Records} seconds={clock.Elapsed.TotalSeconds:0.0} records_per_s={run.Records / clock.Elapsed.TotalSeconds:0} bytes={new FileInfo(file).Length} peak_ws_mib={peakMib:0.0} transactions={counts.Total} rows_per_match={rowsPerMatch:0.000} ceiling_seconds={ceiling.Elapsed.TotalSeconds:0.0}");
        return run.Outcome == FeedOutcomes.Processed ? 0 : 2;
    }

    private static async Task PushAsync(BenchStorage bench, string path, string[] options, CancellationToken cancellationToken)
    {
        await using var push = MonitorProcess.Start(["push", path, .. options], new Dictionary<string, string>
        {
            ["MonitorStorage"] = bench.ConnectionString,
            ["Monitor__StoragePrefix"] = bench.Prefix,
        });
        var exit = await push.WaitForExitAsync(TimeSpan.FromMinutes(30), cancellationToken);
        if (exit != 0)
        {
            throw new InvalidOperationException($"benchmark run is invalid: monitor push {path} exited with {exit}:\n{push.Tail(10)}");
        }
    }

    /// <summary>Samples the managed heap every 100 ms: tells a GC-heap peak apart from native or page-cache growth.</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly Timer _timer;
        private long _peak;

        public PeakSampler() => _timer = new Timer(_ => Sample(), null, 0, 100);

        public long PeakManagedBytes => Interlocked.Read(ref _peak);

        private void Sample()
        {
            var bytes = GC.GetGCMemoryInfo().HeapSizeBytes;
            if (bytes > Interlocked.Read(ref _peak))
            {
                Interlocked.Exchange(ref _peak, bytes);
            }
        }

        public void Dispose() => _timer.Dispose();
    }
}
