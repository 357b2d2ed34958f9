namespace Monitor.Core.Storage;

/// <summary>Keys of the SweepSchedule table: RK = due ticks|request, so "due by T" is one range query.</summary>
internal static class SweepScheduleKeys
{
    /// <summary>The earliest instant Table Storage can hold; "dirty" entries sort first and are always due.</summary>
    public static readonly DateTimeOffset DirtyInstant = new(1601, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static string RowKey(DateTimeOffset dueAt, string requestId) => $"{KeyEncoding.Ticks(dueAt)}{KeyEncoding.Separator}{KeyEncoding.RequestKey(requestId)}";

    /// <summary>An entry that makes the next sweep recompute the request from its timeline.</summary>
    public static ScheduleEntity Dirty(string requestId, string requestPartition) => At(DirtyInstant, requestId, requestPartition);

    public static ScheduleEntity At(DateTimeOffset dueAt, string requestId, string requestPartition) => new()
    {
        RowKey = RowKey(dueAt, requestId),
        RequestId = requestId,
        RequestPartition = requestPartition,
        DueAt = dueAt,
    };

    /// <summary>The exclusive upper RowKey bound of the entries due at or before <paramref name="asOf"/>.</summary>
    public static string DueBound(DateTimeOffset asOf) => $"{KeyEncoding.Ticks(asOf)}{(char)(KeyEncoding.Separator + 1)}";
}
