namespace Monitor.Core.Feeds;

/// <summary>Picks the parser for a detected incident-feed format.</summary>
internal static class FeedParsers
{
    public static IAsyncEnumerable<FeedEntry> ParseIncidentsAsync(FeedSource source, FeedFormat format, FeedLimits limits, CancellationToken cancellationToken) => format switch
    {
        FeedFormat.Csv => CsvFeedParser.ParseAsync(source, limits, cancellationToken),
        FeedFormat.Json => JsonFeedParser.ParseArrayAsync(source, limits, cancellationToken),
        FeedFormat.Ndjson => JsonFeedParser.ParseNdjsonAsync(source, limits, cancellationToken),
        FeedFormat.Stix => StixBundleParser.ParseAsync(source, limits, cancellationToken),
        FeedFormat.Misp => MispEventParser.ParseAsync(source, limits, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}
