using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core;
using Monitor.Core.Storage;

namespace Monitor.Benchmarks;

/// <summary>The side-by-side run: generate, measure a-d on the dense and sparse feeds, the sweep, the soak; print.</summary>
public static class BenchmarkRun
{
    /// <param name="connectionString">Storage to use; null: MonitorStorage, else a private Azurite.</param>
    public static async Task<int> RunAsync(BenchmarkArguments arguments, TextWriter output, CancellationToken cancellationToken, string? connectionString = null)
    {
        var quick = arguments.Quick;
        var mix = IndicatorMix.Parse(arguments.Text("--mix") ?? IndicatorMix.Default);
        var seed = (ulong)arguments.Long("--seed", 20261120);
        // About 100 dense records per request: full batches are possible (the ceiling has something to reach).
        var requests = (int)arguments.Long("--requests", quick ? 60 : 1000);
        var dense = new FeedShape(arguments.Long("--records", quick ? 6_000 : 100_000), requests, 1.0, mix, seed);
        var sparse = new FeedShape(arguments.Long("--sparse-records", quick ? 40_000 : 1_000_000), requests, arguments.Double("--density", 0.01, 0, 1), mix, seed);
        var sweepRequests = (int)arguments.Long("--sweep-requests", quick ? 10_000 : 100_000);
        var soakSeconds = quick || arguments.Has("--no-soak") ? 0 : arguments.Long("--soak-seconds", 120);
        var total = Stopwatch.StartNew();

        var (connection, azurite) = connectionString is null ? await StorageAsync(cancellationToken) : (connectionString, null);
        await using var _ = azurite;
        var parallelism = WriteParallelism();
        output.WriteLine($"Monitor benchmark, {(quick ? "QUICK mode (scaled down: " + $"{dense.Records:N0} dense / {sparse.Records:N0} sparse records, {sweepRequests:N0}-request sweep, no soak)" : "full mode")}");
        output.WriteLine($"  storage: {(azurite is null ? "MonitorStorage (given)" : "Azurite started by the harness, in memory")}; {Environment.ProcessorCount} CPUs; .NET {Environment.Version}; write parallelism {parallelism}; {LoadAverage()}");
        output.WriteLine($"  data: seed {seed}; {requests:N0} open requests; dense {dense.Records:N0} records (every record matches); sparse {sparse.Records:N0} records (density {sparse.Density}); mix {mix.Text}");

        var work = Directory.CreateTempSubdirectory("monitor-bench-");
        try
        {
            var registerPath = Path.Combine(work.FullName, "register.csv");
            var densePath = Path.Combine(work.FullName, "dense.csv");
            var sparsePath = Path.Combine(work.FullName, "sparse.csv");
            Write(registerPath, w => new FeedGenerator(dense).WriteRegister(w));
            Write(densePath, w => new FeedGenerator(dense).WriteFeed(w));
            Write(sparsePath, w => new FeedGenerator(sparse).WriteFeed(w));
            output.WriteLine($"  files: dense {MemoryMeter.Mib(new FileInfo(densePath).Length):0.0} MiB, sparse {MemoryMeter.Mib(new FileInfo(sparsePath).Length):0.0} MiB");

            var bench = new SideBySide(connection, parallelism);
            await WarmUpAsync(bench, work.FullName, dense, cancellationToken);
            output.WriteLine($"  [{total.Elapsed.TotalSeconds,5:0.0} s] warm-up done (JIT, connections); measuring...");
            void Progress(Phase phase) => output.WriteLine($"  [{total.Elapsed.TotalSeconds,5:0.0} s] {phase.Name}: {phase.Elapsed.TotalSeconds:0.00} s");

            var phases = new List<Phase>();
            var (densePipeline, denseStore, _) = await bench.PipelineAsync("dense", new FeedGenerator(dense), registerPath, densePath, dense.Records, cancellationToken);
            phases.Add(densePipeline);
            Progress(densePipeline);
            Phase ceiling, naive;
            StoredRows stored;
            await using (denseStore)
            {
                (ceiling, stored) = await bench.CeilingAsync(denseStore, cancellationToken);
                Progress(ceiling);
                naive = await bench.NaiveAsync(denseStore, $"incidents/{FeedGenerator.Source}/dense.csv", dense.Records, cancellationToken);
                Progress(naive);
            }
            phases.Insert(0, ceiling);
            phases.Add(naive);
            var denseParse = await bench.ParseOnlyAsync("dense", densePath, dense.Records, dense.Records * dense.IndicatorsPerRecord, cancellationToken);
            phases.Add(denseParse);
            var (sparsePipeline, sparseStore, _) = await bench.PipelineAsync("sparse", new FeedGenerator(sparse), registerPath, sparsePath, sparse.Records, cancellationToken);
            Progress(sparsePipeline);
            // The sparse rows at the ceiling: the same rows, one full transaction per partition. Few rows per partition make
            // transactions, not entities, the cost, so the dense ceiling's entities/s says little about them.
            Phase sparseCeiling;
            await using (sparseStore)
            {
                sparseCeiling = (await bench.CeilingAsync(sparseStore, cancellationToken, "a ceiling (sparse rows)")).Phase;
                Progress(sparseCeiling);
            }
            phases.Add(sparsePipeline);
            phases.Add(sparseCeiling);
            var sparseParse = await bench.ParseOnlyAsync("sparse", sparsePath, sparse.Records, sparse.Records * sparse.IndicatorsPerRecord, cancellationToken);
            phases.Add(sparseParse);
            PrintPhases(output, phases);

            var denseVsCeiling = densePipeline.EntitiesPerSecond / ceiling.EntitiesPerSecond;
            var denseVsNaive = densePipeline.RecordsPerSecond / naive.RecordsPerSecond;
            var sparseVsParse = sparsePipeline.RecordsPerSecond / sparseParse.RecordsPerSecond;
            // What the storage alone allows: a pipeline that wrote exactly its rows at the ceiling's rate, and did
            // nothing else (b/c), or did everything else while writing, in parallel (b/d).
            var denseVsNaiveBound = ceiling.EntitiesPerSecond / (densePipeline.Entities / (double)dense.Records) / naive.RecordsPerSecond;
            var sparseWriteSeconds = sparseCeiling.Elapsed.TotalSeconds;
            var sparseVsParseBound = sparseParse.Elapsed.TotalSeconds / Math.Max(sparseParse.Elapsed.TotalSeconds, sparseWriteSeconds);
            output.WriteLine();
            output.WriteLine($"dense  b/a (entities/s): {denseVsCeiling:0.00}   (target >= 0.85)");
            output.WriteLine($"dense  b/c (records/s):  {denseVsNaive:0.0}    (target >= 4; at most {denseVsNaiveBound:0.0} here: {densePipeline.Entities / (double)dense.Records:0.00} rows per record at the ceiling's {ceiling.EntitiesPerSecond:N0} entities/s, against {naive.RecordsPerSecond:N0} naive records/s)");
            output.WriteLine($"sparse b/d (records/s):  {sparseVsParse:0.00}   (target >= 0.45; at most {sparseVsParseBound:0.00} here: its {sparseCeiling.Entities:N0} rows take {sparseWriteSeconds:0.00} s at the ceiling, in {sparseCeiling.Transactions?.Total:N0} transactions (one per partition), parsing takes {sparseParse.Elapsed.TotalSeconds:0.00} s)");
            output.WriteLine($"storage transactions per 1,000 records: dense {densePipeline.TransactionsPer1kRecords:0.0} ({densePipeline.Transactions}); sparse {sparsePipeline.TransactionsPer1kRecords:0.00} ({sparsePipeline.Transactions})");
            output.WriteLine($"entities written: dense {densePipeline.Entities:N0} ({densePipeline.Entities / (double)dense.Records:0.00} per record); sparse {sparsePipeline.Entities:N0} ({sparsePipeline.Entities * 1000.0 / sparse.Records:0.0} per 1,000 records)");
            // Every dense record matches exactly one request: rows per match = rows per matched record.
            var rowsPerMatch = stored.PerMatch(dense.Records);
            output.WriteLine($"rows per matched record (dense): {rowsPerMatch:0.000} ({stored.MatchRows:N0} Matches + {stored.EventRows:N0} RequestEvents rows for {dense.Records:N0} records); "
                + $"related activity: {stored.RelatedRows:N0} rows for {stored.RelatedRecords:N0} records ({stored.PerRelatedMatch:0.000} each, target <= 1.05); "
                + $"the other {dense.Records - stored.RelatedRecords:N0} records move a clock: a Matches row and a RequestEvents row each");
            var peakMib = MemoryMeter.Mib(Math.Max(densePipeline.PeakBytes, sparsePipeline.PeakBytes));
            output.WriteLine($"peak working set during the pipeline runs: {peakMib:0.0} MiB (dense {MemoryMeter.Mib(densePipeline.PeakBytes):0.0}, sparse {MemoryMeter.Mib(sparsePipeline.PeakBytes):0.0}; whole benchmark process)");

            output.WriteLine();
            var sweep = await SweepBenchmark.RunAsync(connection, sweepRequests, 0.01, parallelism, cancellationToken);
            output.WriteLine($"  [{total.Elapsed.TotalSeconds,5:0.0} s] sweep measured");
            output.WriteLine($"sweep{(quick ? " (QUICK: scaled down from 100,000)" : "")}: {sweep.OpenRequests:N0} open requests, {sweep.DueEntries:N0} due ({100.0 * sweep.DueEntries / sweep.OpenRequests:0.00}%), "
                + $"{sweep.RequestsEvaluated:N0} evaluated, {sweep.LevelChanges:N0} level changes, {sweep.Alerts:N0} alerts in {sweep.Elapsed.TotalSeconds:0.00} s");
            output.WriteLine($"sweep: entities read {sweep.EntitiesRead:N0} ({sweep.ReadsPerChange:0.00} per level change; target <= 3 + constant), "
                + $"entities written {sweep.Transactions.EntitiesWritten:N0}; transactions {sweep.Transactions.Total:N0} ({sweep.Transactions})");
            output.WriteLine($"sweep repeated at the same instant: {sweep.RepeatEntitiesRead} entities read, {sweep.RepeatTransactions.Writes} writes ({sweep.RepeatTransactions})");
            output.WriteLine($"daily digest at that instant (once a day, not part of each sweep): {sweep.DigestItems:N0} clocks need attention; {sweep.DigestEntitiesRead:N0} entities read, "
                + $"{sweep.DigestTimelinesRead:N0} timelines read, {sweep.DigestTransactions?[StorageOperation.TableQuery]:N0} table query pages; "
                + $"{sweep.DigestTransactions?.Total:N0} transactions ({sweep.DigestTransactions}) in {sweep.DigestElapsed.TotalSeconds:0.00} s "
                + $"(target <= 5 s at 100,000; {sweep.DigestBuildElapsed.TotalSeconds:0.00} s reading and building, the rest rendering and writing its two files)");

            SoakFigures? soak = null;
            if (soakSeconds > 0)
            {
                output.WriteLine();
                soak = await Soak.RunAsync(connection, TimeSpan.FromSeconds(soakSeconds), output, cancellationToken);
                foreach (var line in Soak.Describe(soak))
                {
                    output.WriteLine(line);
                }
            }

            output.WriteLine();
            output.WriteLine($"benchmark took {total.Elapsed.TotalSeconds:0.0} s; {LoadAverage().Replace(" at start", " at end")}");
            var summary = new StringBuilder();
            summary.Append($"mode={(quick ? "quick" : "full")} dense_records={dense.Records} sparse_records={sparse.Records} requests={requests}");
            summary.Append($" dense_vs_ceiling={denseVsCeiling:0.000} dense_vs_naive={denseVsNaive:0.00} sparse_vs_parse={sparseVsParse:0.000}");
            summary.Append($" dense_vs_naive_bound={denseVsNaiveBound:0.00} sparse_vs_parse_bound={sparseVsParseBound:0.000} rows_per_match={rowsPerMatch:0.000} rows_per_related_match={stored.PerRelatedMatch:0.000}");
            summary.Append($" tx_per_1k_records_dense={densePipeline.TransactionsPer1kRecords:0.00} tx_per_1k_records_sparse={sparsePipeline.TransactionsPer1kRecords:0.00}");
            summary.Append($" ceiling_entities_per_s={ceiling.EntitiesPerSecond:0} dense_entities_per_s={densePipeline.EntitiesPerSecond:0} dense_records_per_s={densePipeline.RecordsPerSecond:0}");
            summary.Append($" naive_records_per_s={naive.RecordsPerSecond:0} sparse_records_per_s={sparsePipeline.RecordsPerSecond:0} parse_records_per_s={sparseParse.RecordsPerSecond:0}");
            summary.Append($" peak_ws_mib={peakMib:0.0} sweep_requests={sweep.OpenRequests} sweep_changes={sweep.LevelChanges} sweep_reads_per_change={sweep.ReadsPerChange:0.00} sweep_seconds={sweep.Elapsed.TotalSeconds:0.00} digest_seconds={sweep.DigestElapsed.TotalSeconds:0.00}");
            summary.Append($" digest_queries={sweep.DigestTransactions?[StorageOperation.TableQuery]} digest_entities_read={sweep.DigestEntitiesRead} digest_timelines_read={sweep.DigestTimelinesRead} digest_build_seconds={sweep.DigestBuildElapsed.TotalSeconds:0.00}");
            if (soak is not null)
            {
                summary.Append($" soak_seconds={soak.Duration.TotalSeconds:0} soak_files={soak.FilesPushed} soak_unaccounted={soak.Audit.Unaccounted.Count}");
                summary.Append($" soak_ws_mib_early={soak.WorkingSetMib.Early:0.0} soak_ws_mib_late={soak.WorkingSetMib.Late:0.0} soak_handles_early={soak.Handles.Early:0} soak_handles_late={soak.Handles.Late:0} soak_flat={(soak.Flat ? "true" : "false")}");
            }
            summary.Append($" seconds={total.Elapsed.TotalSeconds:0.0}");
            output.WriteLine(summary.ToString());
            return soak is null || (soak.Flat && soak.Audit.Unaccounted.Count == 0) ? 0 : 3;
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>MonitorStorage when set (the caller's storage), else a private in-memory Azurite.</summary>
    public static async Task<(string Connection, AzuriteProcess? Azurite)> StorageAsync(CancellationToken cancellationToken)
    {
        var configured = Environment.GetEnvironmentVariable(StorageConnection.Name);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return (configured, null);
        }
        var azurite = await AzuriteProcess.StartAsync(location: null, cancellationToken);
        return (azurite.ConnectionString, azurite);
    }

    /// <summary>Other work on the machine skews every figure: say how busy it was.</summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? $"load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))} at start" : "load average unknown";

    internal static int WriteParallelism()
    {
        using var services = Monitor.Cli.LocalHost.CreateServices();
        return services.GetRequiredService<IOptions<MonitorOptions>>().Value.WriteParallelism;
    }

    private static void Write(string path, Action<TextWriter> write)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        write(writer);
    }

    /// <summary>Every code path once on a small feed, so that JIT and connection set-up are not measured.</summary>
    private static async Task WarmUpAsync(SideBySide bench, string folder, FeedShape dense, CancellationToken cancellationToken)
    {
        var shape = dense with { Records = 300, Requests = Math.Min(dense.Requests, 30), Seed = dense.Seed + 1 };
        var register = Path.Combine(folder, "warm-register.csv");
        var feed = Path.Combine(folder, "warm.csv");
        Write(register, w => new FeedGenerator(shape).WriteRegister(w));
        Write(feed, w => new FeedGenerator(shape).WriteFeed(w));
        var (_, store, _) = await bench.PipelineAsync("warm", new FeedGenerator(shape), register, feed, shape.Records, cancellationToken);
        await using (store)
        {
            await bench.CeilingAsync(store, cancellationToken);
            await bench.NaiveAsync(store, $"incidents/{FeedGenerator.Source}/warm.csv", shape.Records, cancellationToken);
        }
        await bench.ParseOnlyAsync("warm", feed, shape.Records, shape.Records * shape.IndicatorsPerRecord, cancellationToken);
    }

    private static void PrintPhases(TextWriter output, IReadOnlyList<Phase> phases)
    {
        output.WriteLine();
        output.WriteLine($"{"phase",-32} {"records",10} {"entities",10} {"seconds",8} {"records/s",10} {"entities/s",11} {"transactions",12} {"tx/1k rec",9} {"peak WS MiB",11} {"client CPU s",12} {"GC pause s",10}");
        foreach (var p in phases)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{p.Name,-32} {(p.Records == 0 ? "-" : p.Records.ToString("N0")),10} {(p.Entities == 0 ? "-" : p.Entities.ToString("N0")),10} {p.Elapsed.TotalSeconds,8:0.00} "
                + $"{(p.Records == 0 ? "-" : p.RecordsPerSecond.ToString("N0")),10} {(p.Entities == 0 ? "-" : p.EntitiesPerSecond.ToString("N0")),11} "
                + $"{(p.Transactions is null ? "-" : p.Transactions.Total.ToString("N0")),12} {(double.IsNaN(p.TransactionsPer1kRecords) ? "-" : p.TransactionsPer1kRecords.ToString("0.0")),9} {MemoryMeter.Mib(p.PeakBytes),11:0.0} {p.Cpu.TotalSeconds,12:0.00} {p.GcPauses.TotalSeconds,10:0.00}"));
        }
    }
}
