using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Azure.Data.Tables;

namespace Monitor.Core.Storage;

/// <summary>The comparison operators of a Table Storage filter.</summary>
public enum TableComparison
{
    Equal,
    NotEqual,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
}

/// <summary>
/// A Table Storage query filter built from parts: every value goes through <see cref="TableClient.CreateQueryFilter"/>,
/// which quotes and escapes it, and property names must be plain identifiers. There is no way to make one from raw
/// text, so a value can never change the shape of the query.
/// </summary>
public sealed partial class TableFilter
{
    private TableFilter(string text) => Text = text;

    /// <summary>The filter as Table Storage reads it.</summary>
    public string Text { get; }

    /// <summary><paramref name="property"/> compared with <paramref name="value"/> (string, int, long, double, bool, DateTimeOffset or Guid).</summary>
    public static TableFilter Compare(string property, TableComparison comparison, object value)
    {
        if (!Identifier().IsMatch(property))
        {
            throw new ArgumentException($"'{property}' is not a property name", nameof(property));
        }
        if (value is not (string or int or long or double or bool or DateTimeOffset or Guid))
        {
            throw new ArgumentException($"a {value.GetType().Name} cannot be compared in a table filter", nameof(value));
        }
        var op = comparison switch
        {
            TableComparison.Equal => "eq",
            TableComparison.NotEqual => "ne",
            TableComparison.GreaterThan => "gt",
            TableComparison.GreaterThanOrEqual => "ge",
            TableComparison.LessThan => "lt",
            _ => "le",
        };
        // The property name is part of the format; the value is the one argument, quoted by the SDK.
        return new(TableClient.CreateQueryFilter(FormattableStringFactory.Create($"{property} {op} {{0}}", value)));
    }

    public static TableFilter And(TableFilter left, TableFilter right) => new($"({left.Text}) and ({right.Text})");

    public static TableFilter Or(TableFilter left, TableFilter right) => new($"({left.Text}) or ({right.Text})");

    public static TableFilter Not(TableFilter inner) => new($"not ({inner.Text})");

    /// <summary>Both filters, where either may be absent.</summary>
    public static TableFilter? AndAlso(TableFilter? left, TableFilter? right) =>
        left is null ? right : right is null ? left : And(left, right);

    /// <summary>The rows after (PartitionKey, RowKey) in the table's order: a page boundary.</summary>
    public static TableFilter After(string partitionKey, string rowKey) => Or(
        Compare("PartitionKey", TableComparison.GreaterThan, partitionKey),
        And(Compare("PartitionKey", TableComparison.Equal, partitionKey), Compare("RowKey", TableComparison.GreaterThan, rowKey)));

    public override string ToString() => Text;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,254}$")]
    private static partial Regex Identifier();
}
