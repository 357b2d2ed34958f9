using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

public enum FeedFormat
{
    Csv,
    Json,
    Ndjson,
    Stix,
    Misp,
}

/// <summary>
/// A feed file that parsers can open as a (decompressed) stream, more than once if they need two passes.
/// Nothing ever reads the whole file into memory.
/// </summary>
public sealed class FeedSource(string name, Func<CancellationToken, Task<Stream>> openAsync)
{
    /// <summary>The blob name (or file path), used in every error message.</summary>
    public string Name { get; } = name;

    public Task<Stream> OpenAsync(CancellationToken cancellationToken) => openAsync(cancellationToken);

    public static FeedSource FromFile(string path) =>
        new(path, _ => Task.FromResult<Stream>(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan)));

    public static FeedSource FromBytes(string name, byte[] content) =>
        new(name, _ => Task.FromResult<Stream>(new MemoryStream(content, writable: false)));
}

/// <summary>Request status as the register states it. Withdrawn and closed requests stop all clocks.</summary>
public enum RequestStatus
{
    Open,
    Closed,
    Withdrawn,
}

/// <summary>One row of a request register.</summary>
public sealed record RequestRecord(string Location, string RequestId) : FeedEntry(Location)
{
    public required string RequestingParty { get; init; }
    public required string RespondingParty { get; init; }
    public required string Category { get; init; }
    public required string Priority { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }
    public string? Summary { get; init; }
    public IReadOnlyList<RawIndicator> Indicators { get; init; } = [];
    public RequestStatus Status { get; init; } = RequestStatus.Open;
    /// <summary>When the register says the request was closed or withdrawn (optional column).</summary>
    public DateTimeOffset? StatusChangedAt { get; init; }
}

/// <summary>Limits that keep hostile or broken files from exhausting memory. Every one is configurable (section "Feeds").</summary>
public sealed class FeedLimits
{
    public const string Section = "Feeds";

    /// <summary>Largest feed accepted, in bytes, after decompression.</summary>
    public long MaxFeedBytes { get; set; } = 4L << 30;
    /// <summary>Largest single record (CSV row, NDJSON line, JSON array element, STIX object, MISP attribute).</summary>
    public int MaxRecordBytes { get; set; } = 1 << 20;
    public int MaxFieldLength { get; set; } = 64 * 1024;
    public int MaxJsonDepth { get; set; } = 64;
    /// <summary>Largest decompressed/compressed size ratio of a .gz feed.</summary>
    public int MaxGzipRatio { get; set; } = 200;
    public int MaxIndicatorsPerRecord { get; set; } = 1000;
}
