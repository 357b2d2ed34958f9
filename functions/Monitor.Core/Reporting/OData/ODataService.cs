using System.Globalization;
using System.Text;
using System.Text.Json;
using Azure.Data.Tables;
using Microsoft.OData;
using Microsoft.OData.Edm;
using Microsoft.OData.UriParser;
using Monitor.Core.Storage;

namespace Monitor.Core.Reporting.OData;

/// <summary>One call to the feed: the method, the absolute URL as the client sent it, and the headers that matter.</summary>
public sealed record ODataCall(string Method, Uri Url, string? Prefer = null);

/// <summary>
/// The read-only OData v4 feed at <c>/api/odata/</c>, host-independent like <see cref="ReportingApi"/>: the function app
/// and `monitor serve` both call <see cref="HandleAsync"/>. Microsoft.OData parses the URL (path, <c>$filter</c>,
/// <c>$select</c>, <c>$orderby</c>, <c>$top</c>, <c>$skip</c>, <c>$count</c>) against <see cref="ODataModel"/> and writes
/// the payloads and the CSDL; <see cref="ODataFilter"/> turns the filter into a Table Storage filter where it can.
/// </summary>
public sealed class ODataService(ReportingTableReader tables)
{
    /// <summary>The path below the host where the feed's service root is.</summary>
    public const string Root = "/api/odata";

    /// <summary>Rows per page when the client does not ask for fewer (<c>Prefer: odata.maxpagesize</c>).</summary>
    public const int MaxPageSize = 1000;

    private static readonly HashSet<string> QueryOptions = ["$filter", "$select", "$orderby", "$top", "$skip", "$count", "$skiptoken", "$format"];

    /// <summary>True when the (still encoded) path is the feed's: <c>/api/odata</c> or below it.</summary>
    public static bool Owns(string path) =>
        path.Equals(Root, StringComparison.Ordinal) || path.StartsWith(Root + "/", StringComparison.Ordinal);

    public async Task<ApiResponse> HandleAsync(ODataCall call, CancellationToken cancellationToken)
    {
        var serviceRoot = new Uri(call.Url.GetLeftPart(UriPartial.Authority) + Root + "/");
        if (!string.Equals(call.Method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            return Error(serviceRoot, 405, "MethodNotAllowed", "method", $"method {call.Method} is not allowed: the feed is read-only (GET)");
        }
        try
        {
            var relative = call.Url.AbsolutePath.Length > Root.Length ? call.Url.AbsolutePath[(Root.Length + 1)..] : "";
            var options = ParseQuery(call.Url.Query);
            if (relative.Length == 0)
            {
                return ServiceDocument(serviceRoot);
            }
            if (relative == "$metadata")
            {
                return Metadata(serviceRoot);
            }
            return await EntitySetAsync(serviceRoot, relative, options, call, cancellationToken);
        }
        catch (ODataQueryException ex)
        {
            return Error(serviceRoot, 400, "BadRequest", ex.Option, ex.Message);
        }
        catch (ODataNotFoundException ex)
        {
            return Error(serviceRoot, 404, "NotFound", "path", ex.Message);
        }
    }

    /// <summary>A refusal of the role check (<see cref="ApiAccess"/>) in the OData error format.</summary>
    public static ApiResponse Denied(Uri url, ApiDenial denial) =>
        Error(new Uri(url.GetLeftPart(UriPartial.Authority) + Root + "/"), denial.Status, denial.Status == 401 ? "Unauthorized" : "Forbidden", "caller", denial.Message);

    private static ApiResponse ServiceDocument(Uri serviceRoot)
    {
        var message = new ODataMessage(200);
        using (var writer = new ODataMessageWriter(message, Settings(serviceRoot), ODataModel.Edm))
        {
            writer.WriteServiceDocument(ODataModel.Edm.GenerateServiceDocument());
        }
        return message.ToResponse();
    }

    private static ApiResponse Metadata(Uri serviceRoot)
    {
        // CSDL XML: what Power Query reads.
        var message = new ODataMessage(200);
        var settings = Settings(serviceRoot);
        settings.SetContentType("application/xml", "utf-8");
        using (var writer = new ODataMessageWriter(message, settings, ODataModel.Edm))
        {
            writer.WriteMetadataDocument();
        }
        return message.ToResponse();
    }

    private async Task<ApiResponse> EntitySetAsync(Uri serviceRoot, string relative, List<KeyValuePair<string, string>> options, ODataCall call, CancellationToken cancellationToken)
    {
        var parser = Parser(serviceRoot, relative, options);
        var path = Parse("path", parser.ParsePath);
        if (path.FirstSegment is not EntitySetSegment { EntitySet: var edmSet } || path.Count > 2)
        {
            throw new ODataQueryException("path", $"'{relative}' is not an entity set (try {string.Join(", ", ODataModel.Sets.Select(s => s.Name))})");
        }
        var set = ODataModel.Find(edmSet.Name)!;
        var second = path.Count == 2 ? path.LastSegment : null;
        if (second is not (null or KeySegment or CountSegment))
        {
            throw new ODataQueryException("path", $"'{relative}': only an entity set, one entity by key, or $count can be read");
        }
        var query = ODataQuery.Parse(parser, set, edmSet, options, second is KeySegment ? KeyFilter((KeySegment)second) : null);
        var pageSize = PageSize(call.Prefer, out var preferenceApplied);

        if (second is CountSegment)
        {
            var count = await CountAsync(query, cancellationToken);
            return new ApiResponse(200, "text/plain; charset=utf-8", count.ToString(CultureInfo.InvariantCulture), [("OData-Version", "4.0")]);
        }
        var page = await ReadPageAsync(query, pageSize, cancellationToken);
        var message = new ODataMessage(200);
        var settings = Settings(serviceRoot);
        settings.ODataUri = new ODataUri { ServiceRoot = serviceRoot, Path = path, SelectAndExpand = query.SelectClause };
        using (var writer = new ODataMessageWriter(message, settings, ODataModel.Edm))
        {
            if (second is KeySegment)
            {
                var row = page.Rows.FirstOrDefault() ?? throw new ODataNotFoundException($"no {set.TypeName} with that key in {set.Name}");
                var entityWriter = writer.CreateODataResourceWriter(edmSet, edmSet.EntityType);
                entityWriter.WriteStart(Resource(row, query));
                entityWriter.WriteEnd();
            }
            else
            {
                var setWriter = writer.CreateODataResourceSetWriter(edmSet, edmSet.EntityType);
                var resourceSet = new ODataResourceSet { NextPageLink = page.Next is { } token ? NextLink(serviceRoot, relative, options, query, page, token) : null };
                if (query.Count)
                {
                    resourceSet.Count = await CountAsync(query, cancellationToken);
                }
                setWriter.WriteStart(resourceSet);
                foreach (var row in page.Rows)
                {
                    setWriter.WriteStart(Resource(row, query));
                    setWriter.WriteEnd();
                }
                setWriter.WriteEnd();
            }
        }
        return preferenceApplied ? message.ToResponse(("Preference-Applied", $"odata.maxpagesize={pageSize}")) : message.ToResponse();
    }

    /// <summary>One page: the rows, and the token of the next page when there is one.</summary>
    private sealed record Page(List<TableEntity> Rows, string? Next);

    private async Task<Page> ReadPageAsync(ODataQuery query, int pageSize, CancellationToken cancellationToken)
    {
        var limit = (int)Math.Min(pageSize, query.Top ?? long.MaxValue);
        var rows = new List<TableEntity>();
        if (query.NaturalOrder)
        {
            // Table order: the next page starts after the last row's keys (a server-side condition), so each page
            // reads only its own rows.
            var filter = query.After is { } after ? TableFilter.AndAlso(query.Server, TableFilter.After(after.PartitionKey, after.RowKey)) : query.Server;
            var skip = query.After is null ? query.Skip : 0;
            var more = false;
            await foreach (var row in Matching(query, filter, cancellationToken))
            {
                if (skip > 0)
                {
                    skip--;
                    continue;
                }
                if (rows.Count == limit)
                {
                    more = true;
                    break;
                }
                rows.Add(row);
            }
            var next = more && limit > 0 && MoreWanted(query, rows) ? "k" + Base64Url(JsonSerializer.Serialize(new[] { rows[^1].PartitionKey, rows[^1].RowKey })) : null;
            return new Page(rows, next);
        }
        // Any other order needs every matching row: sorted here, paged by position.
        var all = new List<TableEntity>();
        await foreach (var row in Matching(query, query.Server, cancellationToken))
        {
            all.Add(row);
        }
        all.Sort(query.Compare);
        var offset = query.Offset ?? query.Skip;
        rows.AddRange(all.Skip((int)Math.Min(offset, int.MaxValue)).Take(limit));
        var hasMore = offset + rows.Count < all.Count && limit > 0 && rows.Count == limit && MoreWanted(query, rows);
        return new Page(rows, hasMore ? "o" + (offset + rows.Count).ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>False when this page used up the client's $top.</summary>
    private static bool MoreWanted(ODataQuery query, List<TableEntity> rows) => query.Top is not { } top || top > rows.Count;

    /// <summary>How many rows match the filter (the whole collection: $top and $skip do not apply).</summary>
    private async Task<long> CountAsync(ODataQuery query, CancellationToken cancellationToken)
    {
        long count = 0;
        await foreach (var _ in Matching(query with { Columns = query.FilterColumns }, query.Server, cancellationToken))
        {
            count++;
        }
        return count;
    }

    private async IAsyncEnumerable<TableEntity> Matching(ODataQuery query, TableFilter? filter, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in tables.QueryAsync(query.Set.Name, filter, query.Columns, MaxPageSize, cancellationToken))
        {
            if (!query.Filter.NeedsResidual || query.Filter.Matches(row))
            {
                yield return row;
            }
        }
    }

    private static ODataResource Resource(TableEntity row, ODataQuery query)
    {
        var properties = new List<ODataProperty>();
        foreach (var property in query.Output)
        {
            if (!row.TryGetValue(property.Name, out var value) || value is null)
            {
                // Table Storage has no nulls: an absent column is null where the model allows it, else left out.
                if (property.Type.IsNullable)
                {
                    properties.Add(new ODataProperty { Name = property.Name, Value = null });
                }
                continue;
            }
            if (ODataValue(value, property.Type) is { } converted)
            {
                properties.Add(new ODataProperty { Name = property.Name, Value = converted });
            }
        }
        return new ODataResource { Properties = properties };
    }

    /// <summary>A stored value as the model's type; null (left out) for a value of another type than the contract's.</summary>
    private static object? ODataValue(object value, IEdmTypeReference type) => (type.PrimitiveKind(), value) switch
    {
        (EdmPrimitiveTypeKind.String, string s) => s,
        (EdmPrimitiveTypeKind.DateTimeOffset, DateTimeOffset d) => d,
        (EdmPrimitiveTypeKind.DateTimeOffset, DateTime d) => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        (EdmPrimitiveTypeKind.Int32, int i) => i,
        (EdmPrimitiveTypeKind.Int32, long l) when l is >= int.MinValue and <= int.MaxValue => (int)l,
        (EdmPrimitiveTypeKind.Int64, int or long) => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        (EdmPrimitiveTypeKind.Double, int or long or double) => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        (EdmPrimitiveTypeKind.Boolean, bool b) => b,
        (EdmPrimitiveTypeKind.Guid, Guid g) => g,
        _ => null,
    };

    private static Uri NextLink(Uri serviceRoot, string relative, List<KeyValuePair<string, string>> options, ODataQuery query, Page page, string token)
    {
        // The same request without $skip (the token includes it), with what is left of $top, from the token on.
        var kept = options.Where(o => o.Key is not ("$skip" or "$top" or "$skiptoken")).ToList();
        if (query.Top is { } top)
        {
            kept.Add(new("$top", (top - page.Rows.Count).ToString(CultureInfo.InvariantCulture)));
        }
        kept.Add(new("$skiptoken", token));
        return new Uri(serviceRoot, relative + "?" + string.Join("&", kept.Select(o => $"{o.Key}={Uri.EscapeDataString(o.Value)}")));
    }

    private static int PageSize(string? prefer, out bool applied)
    {
        applied = false;
        foreach (var preference in (prefer ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = preference.Split('=', 2, StringSplitOptions.TrimEntries);
            if (parts is [var name, var value] && name.Equals("odata.maxpagesize", StringComparison.OrdinalIgnoreCase)
                && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size > 0)
            {
                applied = size <= MaxPageSize;
                return Math.Min(size, MaxPageSize);
            }
        }
        return MaxPageSize;
    }

    /// <summary>The query string as name/value pairs: '+' is a space (HTML forms and most clients), %XX decoded.</summary>
    private static List<KeyValuePair<string, string>> ParseQuery(string query)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (name, value) = part.IndexOf('=') is var i and >= 0 ? (part[..i], part[(i + 1)..]) : (part, "");
            name = Uri.UnescapeDataString(name.Replace('+', ' '));
            value = Uri.UnescapeDataString(value.Replace('+', ' '));
            if (name == ReportingApi.KeyParameter)
            {
                pairs.Add(new(name, value));
                continue;
            }
            if (!QueryOptions.Contains(name))
            {
                throw new ODataQueryException(name, $"unknown query option (the feed reads {string.Join(", ", QueryOptions)})");
            }
            if (pairs.Any(p => p.Key == name))
            {
                throw new ODataQueryException(name, "given twice");
            }
            pairs.Add(new(name, value));
        }
        return pairs;
    }

    private static ODataUriParser Parser(Uri serviceRoot, string relative, List<KeyValuePair<string, string>> options)
    {
        // The parser sees the path and the options it parses, re-encoded one way.
        var parsed = options.Where(o => o.Key is "$filter" or "$select" or "$orderby" or "$top" or "$skip" or "$count");
        var query = string.Join("&", parsed.Select(o => $"{o.Key}={Uri.EscapeDataString(o.Value)}"));
        var uri = new Uri(serviceRoot, query.Length == 0 ? relative : relative + "?" + query);
        return new ODataUriParser(ODataModel.Edm, serviceRoot, uri) { Resolver = new ODataUriResolver { EnableCaseInsensitive = false } };
    }

    /// <summary>Runs one of the parser's steps; its complaint becomes a 400 naming <paramref name="option"/>.</summary>
    internal static T Parse<T>(string option, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (ODataException ex)
        {
            throw new ODataQueryException(option, ex.Message);
        }
    }

    private static TableFilter KeyFilter(KeySegment key)
    {
        var values = key.Keys.ToDictionary(k => k.Key, k => k.Value);
        if (values.GetValueOrDefault("PartitionKey") is not string partition || values.GetValueOrDefault("RowKey") is not string row)
        {
            throw new ODataQueryException("path", "the key is (PartitionKey='...',RowKey='...')");
        }
        return TableFilter.And(TableFilter.Compare("PartitionKey", TableComparison.Equal, partition), TableFilter.Compare("RowKey", TableComparison.Equal, row));
    }

    private static ODataMessageWriterSettings Settings(Uri serviceRoot) => new()
    {
        BaseUri = serviceRoot,
        ODataUri = new ODataUri { ServiceRoot = serviceRoot },
        Version = ODataVersion.V4,
        EnableMessageStreamDisposal = false,
    };

    private static ApiResponse Error(Uri serviceRoot, int status, string code, string target, string message)
    {
        var response = new ODataMessage(status);
        var settings = Settings(serviceRoot);
        settings.SetContentType(ODataFormat.Json);
        using (var writer = new ODataMessageWriter(response, settings, ODataModel.Edm))
        {
            writer.WriteError(new ODataError { Code = code, Message = message, Target = target }, includeDebugInformation: false);
        }
        return response.ToResponse();
    }

    internal static string Base64Url(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>The path names an entity that does not exist: 404.</summary>
internal sealed class ODataNotFoundException(string message) : Exception(message);
