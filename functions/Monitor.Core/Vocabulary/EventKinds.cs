namespace Monitor.Core;

/// <summary>The record kinds that act on SLA clocks, and the spellings feeds use for them.</summary>
internal static class EventKinds
{
    public const string Acknowledgement = "acknowledgement";
    public const string StatusUpdate = "status-update";
    public const string Response = "response";
    public const string Closure = "closure";
    public const string InfoRequest = "info-request";
    /// <summary>A record that gave no kind.</summary>
    public const string Unspecified = "unspecified";

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ack"] = Acknowledgement,
        ["acknowledged"] = Acknowledgement,
        ["acknowledgment"] = Acknowledgement,
        ["update"] = StatusUpdate,
        ["status"] = StatusUpdate,
        ["status-update"] = StatusUpdate,
        ["progress"] = StatusUpdate,
        ["close"] = Closure,
        ["closed"] = Closure,
        ["rfi"] = InfoRequest,
        ["request-for-information"] = InfoRequest,
        ["information-request"] = InfoRequest,
    };

    private static readonly HashSet<string> SlaKinds = [Acknowledgement, StatusUpdate, Response, Closure, InfoRequest];

    /// <summary>Lower case, '-' for '_' and spaces, common aliases folded.</summary>
    public static string Normalize(string? kind)
    {
        if (string.IsNullOrWhiteSpace(kind))
        {
            return Unspecified;
        }
        var k = kind.Trim().ToLowerInvariant().Replace('_', '-').Replace(' ', '-');
        return Aliases.TryGetValue(k, out var canonical) ? canonical : k;
    }

    public static bool IsSlaKind(string kind) => SlaKinds.Contains(kind);

    /// <summary>
    /// A record is on the request's timeline when the responding party sends an SLA kind, or when the
    /// requesting party sends anything (that is what ends an info-request pause). Everything else that
    /// matched is related activity.
    /// </summary>
    public static string EffectOf(string kind, string? reporterParty, string requestingParty, string respondingParty)
    {
        if (reporterParty is null)
        {
            return EventEffects.RelatedActivity;
        }
        if (string.Equals(reporterParty, respondingParty, StringComparison.OrdinalIgnoreCase) && IsSlaKind(kind))
        {
            return EventEffects.Timeline;
        }
        return string.Equals(reporterParty, requestingParty, StringComparison.OrdinalIgnoreCase) ? EventEffects.Timeline : EventEffects.RelatedActivity;
    }
}

/// <summary>RequestEvents.Effect: what a stored event does to its request's clocks.</summary>
internal static class EventEffects
{
    /// <summary>On the request's timeline: drives the clocks.</summary>
    public const string Timeline = "timeline";
    /// <summary>Matched the request but moves no clock.</summary>
    public const string RelatedActivity = "related-activity";
    /// <summary>The request is not registered yet.</summary>
    public const string Pending = "pending";
}
