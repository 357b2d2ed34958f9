using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Monitor.Core.Storage;

namespace Monitor.Core.Reporting.OData;

/// <summary>The query options of one call, parsed and checked against the entity set before anything is read.</summary>
internal sealed record ODataQuery(
    ODataEntitySet Set,
    ODataFilter Filter,
    TableFilter? Server,
    SelectExpandClause? SelectClause,
    IReadOnlyList<IEdmStructuralProperty> Output,
    IReadOnlyCollection<string>? Columns,
    IReadOnlyCollection<string> FilterColumns,
    IReadOnlyList<(string Property, bool Descending)> OrderBy,
    long? Top,
    long Skip,
    bool Count,
    (string PartitionKey, string RowKey)? After,
    long? Offset)
{
    private static readonly string[] Keys = ["PartitionKey", "RowKey"];

    /// <summary>No $orderby, or the keys ascending: the table's own order, which pages by key.</summary>
    public bool NaturalOrder => OrderBy.Count == 0 || OrderBy.SequenceEqual([("PartitionKey", false)]) || OrderBy.SequenceEqual([("PartitionKey", false), ("RowKey", false)]);

    public static ODataQuery Parse(ODataUriParser parser, ODataEntitySet set, IEdmEntitySet edmSet, List<KeyValuePair<string, string>> options, TableFilter? keyFilter)
    {
        var filter = ODataFilter.From(ODataService.Parse("$filter", parser.ParseFilter), set);
        var select = ODataService.Parse("$select", parser.ParseSelectAndExpand);
        var orderBy = OrderByOf(ODataService.Parse("$orderby", parser.ParseOrderBy));
        var top = ODataService.Parse("$top", parser.ParseTop);
        var skip = ODataService.Parse("$skip", parser.ParseSkip);
        var count = ODataService.Parse("$count", parser.ParseCount);
        if (top < 0)
        {
            throw new ODataQueryException("$top", "must be 0 or more");
        }
        if (skip < 0)
        {
            throw new ODataQueryException("$skip", "must be 0 or more");
        }
        if (options.FirstOrDefault(o => o.Key == "$format").Value is { } format && format is not ("json" or "application/json"))
        {
            throw new ODataQueryException("$format", $"'{format}' is not served (json is)");
        }

        IEnumerable<string> residual = filter.NeedsResidual ? filter.Properties : [];
        var all = edmSet.EntityType.StructuralProperties().ToList();
        IReadOnlyList<IEdmStructuralProperty> output = all;
        IReadOnlyCollection<string>? columns = null;
        if (select is { AllSelected: false })
        {
            var chosen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in select.SelectedItems)
            {
                switch (item)
                {
                    case PathSelectItem { SelectedPath.FirstSegment: PropertySegment segment }:
                        chosen.Add(segment.Property.Name);
                        break;
                    case WildcardSelectItem:
                        chosen.UnionWith(all.Select(p => p.Name));
                        break;
                    default:
                        throw new ODataQueryException("$select", "only properties can be selected ($expand is not served: there are no navigation properties)");
                }
            }
            output = [.. all.Where(p => chosen.Contains(p.Name))];
            // Fetch only what is written, sorted on, or filtered here, plus the keys that page.
            columns = [.. chosen.Union(Keys).Union(orderBy.Select(o => o.Property)).Union(residual)];
        }
        var filterColumns = (IReadOnlyCollection<string>)[.. Keys.Union(residual)];

        var query = new ODataQuery(set, filter, TableFilter.AndAlso(filter.Server, keyFilter), select, output, columns, filterColumns, orderBy,
            top, skip ?? 0, count ?? false, null, null);
        return query.WithSkipToken(options.FirstOrDefault(o => o.Key == "$skiptoken").Value);
    }

    /// <summary>Orders rows as $orderby says (null first, ascending), then by key so that pages never overlap.</summary>
    public int Compare(TableEntity a, TableEntity b)
    {
        foreach (var (property, descending) in OrderBy.Concat([("PartitionKey", false), ("RowKey", false)]))
        {
            var order = CompareValues(a.TryGetValue(property, out var x) ? x : null, b.TryGetValue(property, out var y) ? y : null);
            if (order != 0)
            {
                return descending ? -order : order;
            }
        }
        return 0;
    }

    private ODataQuery WithSkipToken(string? token)
    {
        if (token is null)
        {
            return this;
        }
        var invalid = new ODataQueryException("$skiptoken", "not a token of this feed: follow @odata.nextLink as it is");
        if (token.StartsWith('k') && NaturalOrder)
        {
            try
            {
                var padded = token[1..].Replace('-', '+').Replace('_', '/');
                padded += new string('=', (4 - padded.Length % 4) % 4);
                if (JsonSerializer.Deserialize<string[]>(Encoding.UTF8.GetString(Convert.FromBase64String(padded))) is [var pk, var rk])
                {
                    return this with { After = (pk, rk) };
                }
            }
            catch (Exception ex) when (ex is FormatException or JsonException)
            {
                throw invalid;
            }
        }
        if (token.StartsWith('o') && !NaturalOrder && long.TryParse(token.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return this with { Offset = offset };
        }
        throw invalid;
    }

    private static List<(string Property, bool Descending)> OrderByOf(OrderByClause? clause)
    {
        var order = new List<(string Property, bool Descending)>();
        for (var item = clause; item is not null; item = item.ThenBy)
        {
            if (item.Expression is not SingleValuePropertyAccessNode property)
            {
                throw new ODataQueryException("$orderby", "only properties can be ordered by");
            }
            order.Add((property.Property.Name, item.Direction == OrderByDirection.Descending));
        }
        return order;
    }

    private static int CompareValues(object? a, object? b) => (a, b) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        (string x, string y) => string.CompareOrdinal(x, y),
        (DateTimeOffset x, DateTimeOffset y) => x.CompareTo(y),
        (bool x, bool y) => x.CompareTo(y),
        (Guid x, Guid y) => x.CompareTo(y),
        _ when a is int or long or double && b is int or long or double =>
            Convert.ToDouble(a, CultureInfo.InvariantCulture).CompareTo(Convert.ToDouble(b, CultureInfo.InvariantCulture)),
        _ => string.CompareOrdinal(a.GetType().Name, b.GetType().Name),
    };
}
