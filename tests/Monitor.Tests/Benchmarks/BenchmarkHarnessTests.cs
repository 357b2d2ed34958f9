using System.Text;
using Monitor.Benchmarks;
using Monitor.Core.Feeds;

namespace Monitor.Tests.Benchmarks;

public sealed class BenchmarkHarnessTests
{
    private static readonly IndicatorMix Mix = IndicatorMix.Parse(IndicatorMix.Default);

    [Fact]
    public void The_generator_is_reproducible_and_its_density_is_exact()
    {
        var shape = new FeedShape(Records: 1000, Requests: 50, Density: 0.03, Mix);
        Assert.Equal(new FeedGenerator(shape).FeedBytes(), new FeedGenerator(shape).FeedBytes());
        Assert.NotEqual(new FeedGenerator(shape).FeedBytes(), new FeedGenerator(shape with { Seed = 1 }).FeedBytes());
        var generator = new FeedGenerator(shape);
        Assert.Equal(30, Enumerable.Range(0, 1000).Count(r => generator.IsMatched(r)));
        Assert.Equal(30, generator.MatchedRecords(1000));
    }

    [Theory]
    [InlineData("ip=1,domain=2", null)]
    [InlineData("ip=0", "not <type>=<positive weight>")]
    [InlineData("tld=1", "not <type>=<positive weight>")]
    [InlineData("", "names no type")]
    public void The_indicator_mix_is_checked(string text, string? error)
    {
        if (error is null)
        {
            Assert.Equal(text, IndicatorMix.Parse(text).Text);
        }
        else
        {
            Assert.Contains(error, Assert.Throws<FormatException>(() => IndicatorMix.Parse(text)).Message);
        }
    }

    [Theory]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("1.5MiB", 3L << 19)]
    [InlineData("2GB", 2_000_000_000)]
    [InlineData("4096", 4096)]
    public void Sizes_parse(string text, long bytes) => Assert.Equal(bytes, BenchmarkArguments.ParseSize(text));

    /// <summary>The generated CSV is what the parser reads: every record, every indicator valid.</summary>
    [Fact]
    public async Task Generated_feeds_parse_without_a_reject()
    {
        var shape = new FeedShape(Records: 2000, Requests: 40, Density: 0.5, Mix);
        var source = FeedSource.FromBytes("feed.csv", new FeedGenerator(shape).FeedBytes());
        var records = 0;
        await foreach (var entry in CsvFeedParser.ParseAsync(source, new FeedLimits(), CancellationToken.None))
        {
            var record = Assert.IsType<FeedRecord>(entry);
            records++;
            Assert.All(record.Indicators, raw => Assert.True(Monitor.Core.Indicators.IndicatorNormalizer.TryNormalize(raw, out _, out var error), $"{raw.Value}: {error}"));
        }
        Assert.Equal(2000, records);
    }

    [Fact]
    public async Task Generate_writes_a_feed_of_about_the_size_asked_and_its_register()
    {
        var folder = Directory.CreateTempSubdirectory("monitor-generate-");
        try
        {
            var path = Path.Combine(folder.FullName, "feed.csv");
            var output = new StringWriter();
            var exit = await GenerateCommand.RunAsync(BenchmarkArguments.Parse(["generate", "--size", "256KiB", "--out", path, "--requests", "20"]), output, CancellationToken.None);
            Assert.Equal(0, exit);
            Assert.InRange(new FileInfo(path).Length, (256 << 10) - 300, 256 << 10);
            Assert.Equal(21, File.ReadAllLines(GenerateCommand.RegisterPathFor(path)).Length);
            Assert.Contains("ingest --file", output.ToString());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The whole side-by-side run at toy sizes against the test Azurite: every phase validates its own result
    /// (records read, matched, written), and the last line is the machine-readable summary.
    /// </summary>
    [Fact]
    public async Task A_small_benchmark_run_ends_with_the_key_value_summary()
    {
        var output = new StringWriter();
        var exit = await BenchmarkRun.RunAsync(
            BenchmarkArguments.Parse(["--records", "400", "--sparse-records", "3000", "--requests", "8", "--sweep-requests", "400", "--no-soak"]), output, CancellationToken.None,
            Infrastructure.AzuriteServer.ConnectionString);

        Assert.Equal(0, exit);
        var last = output.ToString().TrimEnd().Split('\n')[^1];
        var pairs = last.Split(' ').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
        Assert.All(last.Split(' '), pair => Assert.Matches("^[a-z0-9_]+=[^=\\s]+$", pair));
        foreach (var key in new[] { "dense_vs_ceiling", "dense_vs_naive", "sparse_vs_parse", "tx_per_1k_records_dense", "tx_per_1k_records_sparse", "peak_ws_mib", "sweep_reads_per_change" })
        {
            Assert.True(double.TryParse(pairs[key], System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0, $"{key}={pairs.GetValueOrDefault(key)}");
        }
        Assert.Equal("400", pairs["dense_records"]);
        Assert.Contains("a ceiling (batched upserts)", output.ToString());
    }
}
