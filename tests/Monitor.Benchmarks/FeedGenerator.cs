using System.Globalization;
using System.Text;

namespace Monitor.Benchmarks;

/// <summary>Relative weights of the indicator types a generated feed carries, e.g. "ip=4,cidr=1,domain=2,url=1,sha256=1,email=1".</summary>
public sealed class IndicatorMix
{
    public static readonly string[] Types = ["ip", "ipv6", "cidr", "domain", "url", "md5", "sha1", "sha256", "email"];
    public const string Default = "ip=4,ipv6=1,cidr=1,domain=3,url=2,md5=1,sha1=1,sha256=2,email=1";

    private readonly string[] _table;

    private IndicatorMix(string[] table, string text)
    {
        _table = table;
        Text = text;
    }

    public string Text { get; }

    /// <exception cref="FormatException">An unknown type or a weight that is not a positive integer.</exception>
    public static IndicatorMix Parse(string text)
    {
        var table = new List<string>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pair = part.Split('=', 2);
            if (pair.Length != 2 || !Types.Contains(pair[0]) || !int.TryParse(pair[1], CultureInfo.InvariantCulture, out var weight) || weight < 1)
            {
                throw new FormatException($"indicator mix '{text}': '{part}' is not <type>=<positive weight> with type one of {string.Join(", ", Types)}");
            }
            table.AddRange(Enumerable.Repeat(pair[0], weight));
        }
        return table.Count == 0 ? throw new FormatException($"indicator mix '{text}' names no type") : new IndicatorMix([.. table], text);
    }

    public string Pick(ref SplitMix rng) => _table[rng.Next(_table.Length)];
}

/// <summary>What to generate: <paramref name="Records"/> feed records against <paramref name="Requests"/> open requests.</summary>
/// <param name="Density">Share of records that match a request (1 = every record, 0.01 = one in a hundred, spread evenly).</param>
/// <param name="TimelineShare">Share of matched records that the responding party sends as an SLA event (the rest is related activity).</param>
/// <param name="ReferenceShare">Share of matched records tied by a request reference instead of an indicator.</param>
public sealed record FeedShape(
    long Records,
    int Requests,
    double Density,
    IndicatorMix Mix,
    ulong Seed = 20261120,
    int IndicatorsPerRecord = 3,
    double TimelineShare = 0.3,
    double ReferenceShare = 0.2);

/// <summary>
/// Reproducible feeds: the same shape and seed give the same bytes, on any machine. Every value comes from a
/// counter-based generator keyed by (seed, record), so records can be produced in any order and a 1 GiB feed is
/// streamed without keeping anything. Request indicators and noise live in disjoint value spaces, so a record
/// matches exactly when <see cref="IsMatched"/> says so, and exactly one request.
/// </summary>
public sealed class FeedGenerator(FeedShape shape)
{
    /// <summary>The feeds go to incidents/bench/...; "bench" maps to no party, so the reporter column decides.</summary>
    public const string Source = "bench";
    public const string FeedHeader = "record_id,reported_at,reporter,kind,request_refs,indicators,summary";
    public const string RegisterHeader = "request_id,requesting_party,responding_party,category,priority,submitted_at,summary,indicators";
    public static readonly DateTimeOffset Epoch = new(2026, 11, 2, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] TimelineKinds = ["acknowledgement", "status-update", "response"];
    private static readonly string[] Priorities = ["high", "medium", "medium", "low"];

    public FeedShape Shape => shape;

    public static string RequestId(int request) => $"BR-{request:D7}";

    public static string RespondingParty(int request) => request % 2 == 0 ? "CN" : "US";

    public static string RequestingParty(int request) => request % 2 == 0 ? "US" : "CN";

    /// <summary>Exactly floor(N × density) records match, evenly spread.</summary>
    public bool IsMatched(long record) => Math.Floor((record + 1) * shape.Density) > Math.Floor(record * shape.Density);

    public long MatchedRecords(long records) => (long)Math.Floor(records * shape.Density);

    /// <summary>The request a matched record is tied to.</summary>
    public int TargetOf(long record)
    {
        var rng = new SplitMix(shape.Seed, (ulong)record, 1);
        return rng.Next(shape.Requests);
    }

    public void WriteRegister(TextWriter writer)
    {
        writer.Write(RegisterHeader);
        writer.Write('\n');
        for (var i = 0; i < shape.Requests; i++)
        {
            var rng = new SplitMix(shape.Seed, (ulong)i, 2);
            var submitted = Epoch.AddMinutes(i % 5000);
            writer.Write(RequestId(i));
            writer.Write(',');
            writer.Write(RequestingParty(i));
            writer.Write(',');
            writer.Write(RespondingParty(i));
            writer.Write(",investigation,");
            writer.Write(Priorities[i % Priorities.Length]);
            writer.Write(',');
            writer.Write(submitted.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.Write(",benchmark request for assistance,");
            writer.Write(RequestIndicator(i, PrimaryType(i)));
            writer.Write(';');
            writer.Write(RequestIndicator(i, SecondaryType(i, ref rng)));
            writer.Write('\n');
        }
    }

    /// <summary>Writes the feed: <see cref="FeedShape.Records"/> records, or fewer when <paramref name="maxBytes"/> (UTF-8) is reached first.</summary>
    /// <returns>The number of records written.</returns>
    public long WriteFeed(TextWriter writer, long? maxBytes = null)
    {
        var line = new StringBuilder(256);
        long bytes = FeedHeader.Length + 1;
        writer.Write(FeedHeader);
        writer.Write('\n');
        long record = 0;
        for (; record < shape.Records; record++)
        {
            line.Clear();
            AppendRecord(line, record);
            // Generated text is ASCII: one byte per char.
            if (maxBytes is { } max && bytes + line.Length > max)
            {
                break;
            }
            bytes += line.Length;
            writer.Write(line);
        }
        return record;
    }

    public byte[] RegisterBytes()
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        WriteRegister(writer);
        return Encoding.UTF8.GetBytes(writer.ToString());
    }

    public byte[] FeedBytes()
    {
        using var buffer = new MemoryStream();
        using (var writer = new StreamWriter(buffer, new UTF8Encoding(false), 1 << 16, leaveOpen: true))
        {
            WriteFeed(writer);
        }
        return buffer.ToArray();
    }

    private void AppendRecord(StringBuilder line, long record)
    {
        var rng = new SplitMix(shape.Seed, (ulong)record, 3);
        var matched = IsMatched(record);
        var target = matched ? TargetOf(record) : -1;
        var timeline = rng.NextDouble() < shape.TimelineShare;
        var byReference = matched && rng.NextDouble() < shape.ReferenceShare;

        line.Append('r').Append(record.ToString("D10", CultureInfo.InvariantCulture)).Append(',');
        line.Append(Epoch.AddDays(7).AddSeconds(record % 864_000).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)).Append(',');
        if (timeline)
        {
            // An SLA event from the responding party of the request it concerns (a party code for noise too).
            line.Append(matched ? RespondingParty(target) : "CN").Append(',').Append(TimelineKinds[rng.Next(TimelineKinds.Length)]).Append(',');
        }
        else
        {
            line.Append("cert-bench,indicator,");
        }
        if (byReference)
        {
            line.Append(RequestId(target));
        }
        line.Append(',');

        var matchingSlot = matched && !byReference ? rng.Next(shape.IndicatorsPerRecord) : -1;
        for (var slot = 0; slot < shape.IndicatorsPerRecord; slot++)
        {
            if (slot > 0)
            {
                line.Append(';');
            }
            if (slot == matchingSlot)
            {
                AppendMatchingIndicator(line, target, ref rng);
            }
            else
            {
                AppendNoise(line, shape.Mix.Pick(ref rng), ref rng);
            }
        }
        line.Append(",bench sighting of activity on monitored infrastructure\n");
    }

    private string PrimaryType(int request)
    {
        var rng = new SplitMix(shape.Seed, (ulong)request, 4);
        return shape.Mix.Pick(ref rng);
    }

    private string SecondaryType(int request, ref SplitMix rng) => shape.Mix.Pick(ref rng);

    /// <summary>A request's indicator of a type; unique per request, and never produced as noise.</summary>
    private string RequestIndicator(int i, string type) => type switch
    {
        "ip" => $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}",
        "ipv6" => $"fd00:b:{(i >> 16) & 0xffff:x}:{i & 0xffff:x}::1",
        "cidr" => $"100.{64 + ((i >> 14) & 63)}.{(i >> 6) & 255}.{(i & 63) << 2}/30",
        "domain" => $"r{i}.bench-target.net",
        "url" => $"http://u{i}.bench-url.net/case/{i}",
        "md5" => Hex(i, "md5", 32),
        "sha1" => Hex(i, "sha1", 40),
        "sha256" => Hex(i, "sha256", 64),
        _ => $"c{i}@bench-mail.net",
    };

    /// <summary>How a feed writes a value that matches the request: refanged, upper case, a subdomain, an IP inside the CIDR.</summary>
    private void AppendMatchingIndicator(StringBuilder line, int request, ref SplitMix rng)
    {
        var pick = new SplitMix(shape.Seed, (ulong)request, 2);
        var type = rng.Next(2) == 0 ? PrimaryType(request) : SecondaryType(request, ref pick);
        var value = RequestIndicator(request, type);
        switch (type)
        {
            case "cidr":
                var slash = value.IndexOf('/');
                var baseIp = value[..slash];
                var lastDot = baseIp.LastIndexOf('.');
                line.Append(baseIp[..(lastDot + 1)]).Append(int.Parse(baseIp[(lastDot + 1)..], CultureInfo.InvariantCulture) + 1 + rng.Next(2));
                break;
            case "domain":
                line.Append(rng.Next(2) == 0 ? value : "www." + value);
                break;
            case "url":
                line.Append(rng.Next(2) == 0 ? value : value.Replace("http://", "hxxp://").Replace(".bench-url.net", "[.]bench-url[.]net"));
                break;
            case "md5" or "sha1" or "sha256":
                line.Append(rng.Next(2) == 0 ? value : value.ToUpperInvariant());
                break;
            case "ip":
                line.Append(rng.Next(2) == 0 ? value : value.Replace(".", "[.]"));
                break;
            default:
                line.Append(value);
                break;
        }
    }

    /// <summary>A value that matches no request: other ranges, other domains, random digests.</summary>
    private static void AppendNoise(StringBuilder line, string type, ref SplitMix rng)
    {
        var h = rng.NextUInt();
        switch (type)
        {
            case "ip" or "cidr":
                line.Append("172.").Append(16 + ((h >> 16) & 15)).Append('.').Append((h >> 8) & 255).Append('.').Append(h & 255);
                break;
            case "ipv6":
                line.Append("fd00:e:").Append((h >> 16).ToString("x", CultureInfo.InvariantCulture)).Append(':').Append((h & 0xffff).ToString("x", CultureInfo.InvariantCulture)).Append("::2");
                break;
            case "domain":
                line.Append('n').Append(h).Append(".noise-bench.org");
                break;
            case "url":
                line.Append("https://n").Append(h).Append(".noise-bench.org/x/").Append(h % 977);
                break;
            case "md5":
                AppendHex(line, ref rng, 32);
                break;
            case "sha1":
                AppendHex(line, ref rng, 40);
                break;
            case "sha256":
                AppendHex(line, ref rng, 64);
                break;
            default:
                line.Append('x').Append(h).Append("@noise-bench.org");
                break;
        }
    }

    private string Hex(int request, string salt, int chars)
    {
        var rng = new SplitMix(shape.Seed, (ulong)request, (ulong)salt.Length + 10);
        var text = new StringBuilder(chars);
        // A leading 'a' keeps request digests and noise digests (which start with a digit) apart.
        text.Append('a');
        while (text.Length < chars)
        {
            text.Append(rng.NextUInt().ToString("x8", CultureInfo.InvariantCulture));
        }
        return text.ToString(0, chars);
    }

    private static void AppendHex(StringBuilder line, ref SplitMix rng, int chars)
    {
        line.Append((char)('0' + rng.Next(10)));
        for (var written = 1; written < chars; written += 8)
        {
            var hex = rng.NextUInt().ToString("x8", CultureInfo.InvariantCulture);
            line.Append(hex, 0, Math.Min(8, chars - written));
        }
    }
}

/// <summary>SplitMix64 keyed by (seed, item, stream): a stateless, portable source of reproducible values.</summary>
public struct SplitMix(ulong seed, ulong item, ulong stream)
{
    private ulong _state = Mix(seed ^ Mix(item + 0x9E3779B97F4A7C15UL * (stream + 1)));

    public ulong NextULong()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    public uint NextUInt() => (uint)(NextULong() >> 32);

    public int Next(int maxExclusive) => (int)(NextULong() % (ulong)maxExclusive);

    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
