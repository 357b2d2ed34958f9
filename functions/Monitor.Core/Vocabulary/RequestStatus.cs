namespace Monitor.Core;

/// <summary>Request status as the register states it. Withdrawn and closed requests stop all clocks.</summary>
internal enum RequestStatus
{
    Open,
    Closed,
    Withdrawn,
}

/// <summary>Requests.Status: the stored names of <see cref="RequestStatus"/>.</summary>
internal static class RequestStatuses
{
    public const string Open = "open";
    public const string Closed = "closed";
    public const string Withdrawn = "withdrawn";

    public static readonly IReadOnlyList<string> All = [Open, Closed, Withdrawn];

    public static string Name(RequestStatus status) => status switch
    {
        RequestStatus.Open => Open,
        RequestStatus.Closed => Closed,
        RequestStatus.Withdrawn => Withdrawn,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
