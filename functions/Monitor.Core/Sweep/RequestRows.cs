using System.Globalization;
using System.Reflection;
using Azure.Data.Tables;
using Monitor.Core.Storage;

namespace Monitor.Core.Sweep;

/// <summary>
/// Writes the sweep's clock columns onto a Requests row as stored. The write is a Replace of the whole row (with its
/// ETag) built from the row as read, so that a column that must become empty (a due instant while paused, the next
/// change when there is none) is really removed (a Merge cannot remove a property), and every other column, known to
/// <see cref="RequestEntity"/> or not, is kept as it was.
/// </summary>
internal static class RequestRows
{
    /// <summary>The columns the sweep owns.</summary>
    public static readonly string[] ClockColumns =
    [
        nameof(RequestEntity.AckDueAt), nameof(RequestEntity.AckMetAt), nameof(RequestEntity.AckLevel),
        nameof(RequestEntity.ResponseDueAt), nameof(RequestEntity.ResponseMetAt), nameof(RequestEntity.ResponseLevel),
        nameof(RequestEntity.UpdateDueAt), nameof(RequestEntity.UpdateLevel), nameof(RequestEntity.UpdateCycle),
        nameof(RequestEntity.Level), nameof(RequestEntity.EvaluatedAt), nameof(RequestEntity.NextChangeAt), nameof(RequestEntity.ScheduleKey),
        nameof(RequestEntity.AckEscalateAt), nameof(RequestEntity.AckCalendar), nameof(RequestEntity.AckCalendarWarning), nameof(RequestEntity.AckWhy),
        nameof(RequestEntity.ResponseEscalateAt), nameof(RequestEntity.ResponseCalendar), nameof(RequestEntity.ResponseCalendarWarning), nameof(RequestEntity.ResponseWhy),
        nameof(RequestEntity.UpdateEscalateAt), nameof(RequestEntity.UpdateCalendar), nameof(RequestEntity.UpdateCalendarWarning), nameof(RequestEntity.UpdateWhy),
    ];

    private static readonly PropertyInfo[] Columns = [.. typeof(RequestEntity).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanWrite && p.Name is not (nameof(ITableEntity.PartitionKey) or nameof(ITableEntity.RowKey) or nameof(ITableEntity.ETag) or nameof(ITableEntity.Timestamp)))];

    private static readonly Dictionary<string, PropertyInfo> ByName = Columns.ToDictionary(p => p.Name, StringComparer.Ordinal);

    /// <summary>The typed view of a stored row (columns of other types than expected are an error that names them).</summary>
    public static RequestEntity ToRequest(TableEntity raw)
    {
        var row = new RequestEntity { PartitionKey = raw.PartitionKey, RowKey = raw.RowKey, ETag = raw.ETag, Timestamp = raw.Timestamp };
        foreach (var property in Columns)
        {
            if (raw.TryGetValue(property.Name, out var value) && value is not null)
            {
                property.SetValue(row, Convert(value, property, raw));
            }
        }
        return row;
    }

    /// <summary>The stored row with the clock columns of <paramref name="evaluated"/>: set when they have a value, removed when not.</summary>
    public static TableEntity WithClockColumns(TableEntity raw, RequestEntity evaluated)
    {
        var updated = new TableEntity(raw.PartitionKey, raw.RowKey) { ETag = raw.ETag };
        foreach (var (key, value) in raw)
        {
            if (key is not ("odata.etag" or nameof(ITableEntity.Timestamp) or nameof(ITableEntity.PartitionKey) or nameof(ITableEntity.RowKey)))
            {
                updated[key] = value;
            }
        }
        foreach (var column in ClockColumns)
        {
            var value = ByName[column].GetValue(evaluated);
            if (value is null)
            {
                updated.Remove(column);
            }
            else
            {
                updated[column] = value;
            }
        }
        return updated;
    }

    /// <summary>Whether the two rows hold the same clock columns (then the sweep has nothing to write).</summary>
    public static bool SameClockColumns(TableEntity stored, TableEntity updated) =>
        ClockColumns.All(column => Equals(Normalize(stored.TryGetValue(column, out var a) ? a : null), Normalize(updated.TryGetValue(column, out var b) ? b : null)));

    private static object? Normalize(object? value) => value switch
    {
        DateTimeOffset at => at.UtcTicks,
        DateTime at => at.ToUniversalTime().Ticks,
        _ => value,
    };

    private static object Convert(object value, PropertyInfo property, TableEntity raw)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        try
        {
            return type switch
            {
                _ when type.IsInstanceOfType(value) => value,
                _ when type == typeof(DateTimeOffset) => value is DateTime dt ? new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)) : DateTimeOffset.Parse(value.ToString()!, CultureInfo.InvariantCulture),
                _ when type == typeof(string) => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
                _ => System.Convert.ChangeType(value, type, CultureInfo.InvariantCulture),
            };
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException)
        {
            throw new InvalidOperationException($"Requests row {raw.PartitionKey}/{raw.RowKey}: column {property.Name} holds '{value}' ({value.GetType().Name}), not a {type.Name}", ex);
        }
    }
}
