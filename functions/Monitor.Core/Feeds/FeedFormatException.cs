namespace Monitor.Core.Feeds;

/// <summary>
/// The file as a whole cannot be read in the format it claims (no header, not JSON, empty):
/// the ingestor quarantines the whole file instead of rejecting records one by one.
/// </summary>
/// <param name="location">Where the problem was found: "line 1", "byte 0", "$.objects".</param>
internal sealed class FeedFormatException(string message, string location) : Exception(message)
{
    public string Location { get; } = location;
}
