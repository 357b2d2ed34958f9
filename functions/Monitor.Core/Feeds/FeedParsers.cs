using Monitor.Core.Config;

namespace Monitor.Core.Feeds;

/// <summary>Picks the parser for a detected incident-feed format.</summary>
internal static class FeedParsers
{
    public static IAsyncEnumerable<FeedEntry> ParseIncidentsAsync(FeedSource source, FeedFormat format, FeedLimits limits, CancellationToken cancellationToken) =>
        ParseIncidentsAsync(source, format, limits, null, cancellationToken);

    /// <param name="settings">The source's format settings from config/sources.json, if any.</param>
    public static IAsyncEnumerable<FeedEntry> ParseIncidentsAsync(FeedSource source, FeedFormat format, FeedLimits limits, SourceFormat? settings, CancellationToken cancellationToken) => format switch
    {
        FeedFormat.Csv => CsvFeedParser.ParseAsync(source, limits, settings, cancellationToken),
        FeedFormat.Json => JsonFeedParser.ParseArrayAsync(source, limits, settings, cancellationToken),
        FeedFormat.Ndjson => JsonFeedParser.ParseNdjsonAsync(source, limits, settings, cancellationToken),
        FeedFormat.MispManifest => MispManifest.ParseAsync(source, cancellationToken),
        FeedFormat.Stix => StixBundleParser.ParseAsync(source, limits, cancellationToken),
        FeedFormat.Misp => MispEventParser.ParseAsync(source, limits, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}
