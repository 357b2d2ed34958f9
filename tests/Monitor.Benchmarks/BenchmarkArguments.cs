using System.Globalization;

namespace Monitor.Benchmarks;

/// <summary>The command line: `[--quick] [options]`, `generate --size S --out F [options]`, `ingest --file F [--register R]`.</summary>
public sealed class BenchmarkArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private static readonly HashSet<string> Flags = ["--quick", "--help", "-h", "--no-soak"];
    private static readonly HashSet<string> Valued =
    [
        "--records", "--sparse-records", "--requests", "--density", "--mix", "--seed", "--sweep-requests", "--soak-seconds",
        "--size", "--out", "--file", "--register", "--source",
    ];

    public string Command { get; private set; } = "run";

    public bool Quick => _flags.Contains("--quick");

    public bool Has(string flag) => _flags.Contains(flag);

    public static BenchmarkArguments Parse(IReadOnlyList<string> args)
    {
        var parsed = new BenchmarkArguments();
        var start = 0;
        if (args.Count > 0 && args[0] is "generate" or "ingest")
        {
            parsed.Command = args[0];
            start = 1;
        }
        for (var i = start; i < args.Count; i++)
        {
            var arg = args[i];
            if (Flags.Contains(arg))
            {
                parsed._flags.Add(arg);
            }
            else if (Valued.Contains(arg))
            {
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{arg} needs a value");
                }
                parsed._values[arg] = args[++i];
            }
            else
            {
                throw new ArgumentException($"unknown argument '{arg}'");
            }
        }
        if (parsed.Has("--help") || parsed.Has("-h"))
        {
            parsed.Command = "help";
        }
        return parsed;
    }

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public string Required(string name) => Text(name) ?? throw new ArgumentException($"{Command} needs {name}");

    public long Long(string name, long fallback)
    {
        if (Text(name) is not { } text)
        {
            return fallback;
        }
        return long.TryParse(text.Replace("_", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new ArgumentException($"{name} '{text}' is not a non-negative whole number");
    }

    public double Double(string name, double fallback, double min, double max)
    {
        if (Text(name) is not { } text)
        {
            return fallback;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{name} '{text}' is not a number between {min} and {max}");
    }

    /// <summary>"1GiB", "500MiB", "64KiB", "1GB" (decimal) or plain bytes.</summary>
    public static long ParseSize(string text)
    {
        var units = new (string Suffix, long Factor)[] { ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000), ("B", 1) };
        foreach (var (suffix, factor) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount > 0)
            {
                return (long)(amount * factor);
            }
        }
        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var bytes) && bytes > 0
            ? bytes
            : throw new ArgumentException($"--size '{text}' is not a size such as 1GiB, 500MiB or 1048576");
    }

    public static int PrintHelp(TextWriter output)
    {
        output.WriteLine("""
            Monitor benchmarks (tests/Monitor.Benchmarks). Starts its own in-memory Azurite unless MonitorStorage is set.

              dotnet run -c Release --project tests/Monitor.Benchmarks -- [--quick] [options]
                  Side by side on the same generated data: (a) ceiling: raw batched upserts, (b) the pipeline
                  (FeedIngestor.IngestAsync), (c) naive: blob as a string + one upsert per record, (d) parse-only.
                  Then the overdue sweep, and (full mode only) a soak of `monitor run`. The last line is key=value pairs.
                  --quick                scaled down to finish within a minute (6k dense / 40k sparse records, 10k-request sweep)
                  --records N            dense feed records (full 100000)
                  --sparse-records N     sparse feed records (full 1000000)
                  --requests M           open requests (full 1000, quick 60)
                  --density D            match density of the sparse feed (default 0.01)
                  --mix TYPE=W,...       indicator mix (default ip=4,ipv6=1,cidr=1,domain=3,url=2,md5=1,sha1=1,sha256=2,email=1)
                  --seed S               generator seed (default 20261120)
                  --sweep-requests N     open requests in the sweep benchmark (full 100000)
                  --soak-seconds S       soak duration (full 120); --no-soak skips it

              ... -- generate --size 1GiB --out FILE [--requests M] [--density D] [--mix ...] [--seed S]
                  Writes a reproducible CSV incident feed of about that size, and its request register as FILE.register.csv.

              ... -- ingest --file FILE [--register REGISTER] [--source NAME]
                  Uploads REGISTER (ingested first) and FILE, ingests FILE through the pipeline, reports the peak working set.
            """);
        return 0;
    }
}
