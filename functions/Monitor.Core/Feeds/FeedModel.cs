using System.ComponentModel.DataAnnotations;
using Monitor.Core.Indicators;

namespace Monitor.Core.Feeds;

public enum FeedFormat
{
    Csv,
    Json,
    Ndjson,
    Stix,
    Misp,
    /// <summary>A MISP feed's manifest.json: an index of events, not events.</summary>
    MispManifest,
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

/// <summary>One row of a request register.</summary>
internal sealed record RequestRecord(string Location, string RequestId) : FeedEntry(Location)
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

/// <summary>
/// Limits that keep hostile or broken files from exhausting memory or storage. Every one is configurable (section "Feeds",
/// e.g. the app setting Feeds__MaxFeedBytes) and checked at start-up. A file that breaks a file limit is quarantined
/// whole; a record that breaks a record limit goes to Rejects and the rest of the file is processed.
/// </summary>
public sealed class FeedLimits
{
    public const string Section = "Feeds";

    /// <summary>Largest feed accepted, in bytes, after decompression (file limit).</summary>
    [Range(1L, long.MaxValue)]
    public long MaxFeedBytes { get; set; } = 4L << 30;

    /// <summary>Largest single record (CSV row, NDJSON line, JSON array element, STIX object, MISP attribute), in bytes.</summary>
    [Range(1024, 1 << 30)]
    public int MaxRecordBytes { get; set; } = 1 << 20;

    /// <summary>Longest single field (CSV cell, JSON string), in characters.</summary>
    [Range(1, 1 << 30)]
    public int MaxFieldLength { get; set; } = 64 * 1024;

    /// <summary>Deepest nesting of a JSON record, in levels.</summary>
    [Range(2, 1000)]
    public int MaxJsonDepth { get; set; } = 64;

    /// <summary>Largest decompressed/compressed size ratio of a gzip feed (file limit; the first 1 MiB is allowed regardless).</summary>
    [Range(1, 100_000)]
    public int MaxGzipRatio { get; set; } = 200;

    /// <summary>Most indicators one record may list.</summary>
    [Range(1, 1_000_000)]
    public int MaxIndicatorsPerRecord { get; set; } = 1000;
}
