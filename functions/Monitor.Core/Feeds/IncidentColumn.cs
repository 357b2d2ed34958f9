namespace Monitor.Core.Feeds;

/// <summary>
/// The position of each incident-feed column in <see cref="FeedColumns.IncidentFeed"/>: the CSV and JSON incident
/// parsers both read a record into values in that order.
/// </summary>
internal static class IncidentColumn
{
    public static readonly int RecordId = IndexOf(FeedColumns.RecordId);
    public static readonly int ReportedAt = IndexOf(FeedColumns.ReportedAt);
    public static readonly int Reporter = IndexOf(FeedColumns.Reporter);
    public static readonly int Kind = IndexOf(FeedColumns.Kind);
    public static readonly int RequestRefs = IndexOf(FeedColumns.RequestRefs);
    public static readonly int Indicators = IndexOf(FeedColumns.Indicators);
    public static readonly int Summary = IndexOf(FeedColumns.Summary);
    public static readonly int Findings = IndexOf(FeedColumns.Findings);
    public static readonly int Evidence = IndexOf(FeedColumns.Evidence);
    public static readonly int Mitigation = IndexOf(FeedColumns.Mitigation);
    public static readonly int ReferenceText = IndexOf(FeedColumns.ReferenceText);
    public static readonly int IndicatorType = IndexOf(FeedColumns.IndicatorType);

    private static int IndexOf(string name) => FeedColumns.IndexOf(FeedColumns.IncidentFeed, name);
}
