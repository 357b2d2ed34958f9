namespace Monitor.Core;

/// <summary>The two kinds of file in the drop zone: request registers and incident feeds.</summary>
public enum FeedKind
{
    Requests,
    Incidents,
}

/// <summary>FeedRuns.FeedKind: the stored names of <see cref="FeedKind"/>.</summary>
internal static class FeedKinds
{
    public const string Requests = "requests";
    public const string Incidents = "incidents";
    /// <summary>A blob whose name is outside the drop-zone folders.</summary>
    public const string Unknown = "unknown";

    public static string Name(FeedKind kind) => kind == FeedKind.Requests ? Requests : Incidents;
}

/// <summary>Outcomes recorded in FeedRuns.Outcome.</summary>
public static class FeedOutcomes
{
    public const string Processed = "processed";
    public const string Duplicate = "duplicate";
    public const string Quarantined = "quarantined";
    public const string Poison = "poison";

    public static bool IsFinal(string? outcome) => outcome is Processed or Duplicate or Quarantined or Poison;
}

