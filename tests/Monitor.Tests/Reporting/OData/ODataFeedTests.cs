using System.Net;
using System.Text.Json;
using System.Xml;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OData.Edm;
using Microsoft.OData.Edm.Csdl;
using Monitor.Cli;
using Monitor.Core.Reporting;
using Monitor.Core.Reporting.OData;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Reporting.OData;

/// <summary>
/// The OData feed as Power BI, Excel and scripts read it: `monitor serve` over loopback HTTP on the seeded
/// <see cref="ReportScenario"/> in Azurite. Every answer is compared with what a plain <see cref="TableClient"/> reads
/// from the same tables.
/// </summary>
public sealed class ODataFeedTests(ODataFeedTests.Feed feed) : IClassFixture<ODataFeedTests.Feed>
{
    private const string Key = "odata-test-key-0123";

    /// <summary>One seeded storage and one server for the class: every call only reads.</summary>
    public sealed class Feed : IAsyncLifetime
    {
        private readonly TestStorage _test = new(ReportScenario.AsOf);
        private LocalApiServer _server = null!;

        public HttpClient Http { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            await ReportScenario.SeedAsync(_test);
            var reports = _test.Services.GetRequiredService<ReportService>();
            await reports.SaveStatsAsync(await reports.ComputeAsync(ReportPeriod.Parse("2026-H1"), ReportScenario.AsOf, CancellationToken.None), CancellationToken.None);
            _server = await LocalApiServer.StartAsync(_test.Services, Key, 0, null, CancellationToken.None);
            Http = new HttpClient { BaseAddress = new Uri(_server.BaseAddress, "api/odata/") };
            Http.DefaultRequestHeaders.Add(LocalApiServer.KeyHeader, Key);
        }

        /// <summary>Every row of a table as a client without Monitor's types reads it.</summary>
        public async Task<List<TableEntity>> RowsAsync(string table)
        {
            var client = new TableClient(AzuriteServer.ConnectionString, _test.Storage.Names.Table(table));
            var rows = new List<TableEntity>();
            await foreach (var row in client.QueryAsync<TableEntity>())
            {
                rows.Add(row);
            }
            return rows;
        }

        public async Task DisposeAsync()
        {
            Http.Dispose();
            await _server.DisposeAsync();
            await _test.DisposeAsync();
        }
    }

    private HttpClient Http => feed.Http;

    [Theory]
    [InlineData("")]
    [InlineData("$metadata")]
    [InlineData("Requests")]
    [InlineData("Requests?$filter=RespondingParty eq 'CN'")]
    public async Task A_call_without_the_key_gets_401(string path)
    {
        using var anonymous = new HttpClient { BaseAddress = Http.BaseAddress };
        var response = await anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.DoesNotContain("A1", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_service_document_lists_every_entity_set()
    {
        var (status, json) = await GetJsonAsync("");

        Assert.Equal(HttpStatusCode.OK, status);
        var sets = json.RootElement.GetProperty("value").EnumerateArray().Select(e => (e.GetProperty("name").GetString(), e.GetProperty("url").GetString())).ToList();
        Assert.Equal(
            ["Requests", "RequestEvents", "Matches", "Alerts", "AlertDeliveries", "FeedRuns", "Rejects", "PeriodStats", "PullState"],
            sets.Select(s => s.Item1));
        Assert.All(sets, s => Assert.Equal(s.Item1, s.Item2));
        Assert.EndsWith("/api/odata/$metadata", json.RootElement.GetProperty("@odata.context").GetString());
    }

    [Fact]
    public async Task The_metadata_is_CSDL_XML_with_typed_columns_and_keys()
    {
        var response = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "$metadata") { Headers = { { "Accept", "application/xml" } } });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("application/xml", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("4.0", response.Headers.GetValues("OData-Version").Single());

        // Parsed by the CSDL reader of Microsoft.OData.Edm, as a client library would.
        using var reader = XmlReader.Create(await response.Content.ReadAsStreamAsync());
        Assert.True(CsdlReader.TryParse(reader, out var model, out var errors), string.Join("; ", errors.Select(e => e.ErrorMessage)));

        var request = Type(model, "Request");
        Assert.Equal(["PartitionKey", "RowKey"], request.Key().Select(k => k.Name));
        Assert.Equal("Edm.DateTimeOffset", TypeOf(request, "AckDueAt"));
        Assert.Equal("Edm.DateTimeOffset", TypeOf(request, "SubmittedAt"));
        Assert.Equal("Edm.Int32", TypeOf(request, "UpdateCycle"));
        Assert.Equal("Edm.Int32", TypeOf(request, "IndicatorCount"));
        Assert.Equal("Edm.Boolean", TypeOf(request, "RetroPending"));
        Assert.Equal("Edm.String", TypeOf(request, "AckLevel"));
        Assert.False(request.FindProperty("SubmittedAt").Type.IsNullable);
        Assert.True(request.FindProperty("AckMetAt").Type.IsNullable);
        Assert.Equal("Edm.Boolean", TypeOf(Type(model, "RequestEvent"), "Pending"));
        Assert.Equal("Edm.Double", TypeOf(Type(model, "FeedRun"), "DurationSeconds"));
        Assert.Equal("Edm.Int32", TypeOf(Type(model, "FeedRun"), "Records"));
        Assert.Equal("Edm.Double", TypeOf(Type(model, "PeriodStats"), "MedianResponseHours"));
        Assert.Equal("Edm.DateTimeOffset", TypeOf(Type(model, "Alert"), "ReachedAt"));
        Assert.Equal(
            ["Requests", "RequestEvents", "Matches", "Alerts", "AlertDeliveries", "FeedRuns", "Rejects", "PeriodStats", "PullState"],
            model.EntityContainer.EntitySets().Select(s => s.Name));
        Assert.All(model.EntityContainer.EntitySets(), s => Assert.Equal(["PartitionKey", "RowKey"], s.EntityType.Key().Select(k => k.Name)));
    }

    /// <summary>Each operator and literal type, against the same question asked of the rows a table client reads.</summary>
    [Fact]
    public async Task Each_filter_operator_and_literal_gives_the_rows_a_table_query_gives()
    {
        var requests = await feed.RowsAsync("Requests");
        var events = await feed.RowsAsync("RequestEvents");
        var runs = await feed.RowsAsync("FeedRuns");
        var stats = await feed.RowsAsync("PeriodStats");
        var cutoff = DateTimeOffset.Parse("2026-06-01T00:00:00Z");
        var a1 = DateTimeOffset.Parse("2026-03-02T01:00:00Z");
        var cases = new (string Set, string Filter, List<TableEntity> Rows, Func<TableEntity, bool> Expected)[]
        {
            ("Requests", "RespondingParty eq 'CN'", requests, r => r.GetString("RespondingParty") == "CN"),
            ("Requests", "RespondingParty ne 'CN'", requests, r => r.GetString("RespondingParty") != "CN"),
            ("Requests", "SubmittedAt gt 2026-06-01T00:00:00Z", requests, r => r.GetDateTimeOffset("SubmittedAt") > cutoff),
            ("Requests", "SubmittedAt ge 2026-03-02T09:00:00+08:00", requests, r => r.GetDateTimeOffset("SubmittedAt") >= a1),
            ("Requests", "SubmittedAt lt 2026-03-02T01:00:00Z", requests, r => r.GetDateTimeOffset("SubmittedAt") < a1),
            ("Requests", "SubmittedAt le 2026-03-02T01:00:00Z", requests, r => r.GetDateTimeOffset("SubmittedAt") <= a1),
            ("Requests", "UpdateCycle ge 1", requests, r => r.GetInt32("UpdateCycle") >= 1),
            ("Requests", "Priority eq 'high' and RespondingParty eq 'US'", requests, r => r.GetString("Priority") == "high" && r.GetString("RespondingParty") == "US"),
            ("Requests", "Status eq 'withdrawn' or Priority eq 'medium'", requests, r => r.GetString("Status") == "withdrawn" || r.GetString("Priority") == "medium"),
            ("Requests", "(Priority eq 'high' and RespondingParty eq 'US') or Category eq 'evidence'", requests,
                r => (r.GetString("Priority") == "high" && r.GetString("RespondingParty") == "US") || r.GetString("Category") == "evidence"),
            ("Requests", "not (RespondingParty eq 'CN')", requests, r => r.GetString("RespondingParty") != "CN"),
            ("Requests", "not (ResponseLevel eq 'met')", requests, r => r.GetString("ResponseLevel") != "met"),
            ("Requests", "ResponseMetAt eq null", requests, r => r.GetDateTimeOffset("ResponseMetAt") is null),
            ("Requests", "startswith(RequestId, 'A')", requests, r => r.GetString("RequestId").StartsWith('A')),
            ("Requests", "contains(Summary, 'late') and RespondingParty eq 'CN'", requests, r => r.GetString("Summary").Contains("late") && r.GetString("RespondingParty") == "CN"),
            ("Requests", "endswith(Summary, 'time')", requests, r => r.GetString("Summary").EndsWith("time")),
            ("RequestEvents", "Pending eq false and HasFindings eq true", events, r => r.GetBoolean("Pending") == false && r.GetBoolean("HasFindings") == true),
            ("RequestEvents", "HasEvidence", events, r => r.GetBoolean("HasEvidence") == true),
            ("RequestEvents", "RequestId eq 'A3'", events, r => r.GetString("RequestId") == "A3"),
            ("FeedRuns", "DurationSeconds ge 0.0 and Records gt 8", runs, r => r.GetDouble("DurationSeconds") >= 0 && r.GetInt32("Records") > 8),
            ("FeedRuns", "SizeBytes gt 100", runs, r => r.GetDouble("SizeBytes") > 100),
            ("PeriodStats", "MedianResponseHours lt 100.5", stats, r => r.GetDouble("MedianResponseHours") < 100.5),
        };
        foreach (var (set, filter, rows, expected) in cases)
        {
            var want = rows.Where(expected).Select(r => (r.PartitionKey, r.RowKey)).ToList();
            var got = await KeysAsync($"{set}?$filter={Uri.EscapeDataString(filter)}");
            Assert.True(want.SequenceEqual(got), $"{set} $filter={filter}: expected [{string.Join(", ", want)}], got [{string.Join(", ", got)}]");
        }
        // The cases are not vacuous: the seeded rows answer some of each, and not all.
        Assert.Contains(requests, r => r.GetString("RespondingParty") == "CN");
        Assert.Contains(requests, r => r.GetString("RespondingParty") == "US");
        Assert.Contains(events, r => r.GetBoolean("HasFindings") == true);
        Assert.Contains(stats, r => r.GetDouble("MedianResponseHours") is not null);
    }

    [Theory]
    [InlineData("RespondingParty eq 'CN'' or ''1'' eq ''1'")]
    [InlineData("RequestId eq 'A1'') or (RequestId ne '''")]
    [InlineData("RespondingParty eq 'CN\" or 1 eq 1 or \"'")]
    [InlineData("startswith(RequestId, ''' or PartitionKey ne ''')")]
    public async Task Quotes_in_string_literals_stay_inside_the_value(string filter)
    {
        var (status, json) = await GetJsonAsync($"Requests?$filter={Uri.EscapeDataString(filter)}");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(json.RootElement.GetProperty("value").EnumerateArray());
    }

    [Fact]
    public async Task Select_returns_only_the_chosen_columns()
    {
        var (status, json) = await GetJsonAsync("Requests?$select=RequestId,Level&$filter=RespondingParty eq 'CN'");

        Assert.Equal(HttpStatusCode.OK, status);
        var rows = json.RootElement.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(5, rows.Count);
        Assert.All(rows, r => Assert.Equal(["RequestId", "Level"], r.EnumerateObject().Select(p => p.Name)));
        Assert.EndsWith("$metadata#Requests(RequestId,Level)", json.RootElement.GetProperty("@odata.context").GetString());
    }

    [Fact]
    public async Task Orderby_sorts_by_several_columns_ascending_and_descending()
    {
        var requests = await feed.RowsAsync("Requests");
        var expected = requests.OrderByDescending(r => r.GetString("RespondingParty"), StringComparer.Ordinal)
            .ThenBy(r => r.GetDateTimeOffset("SubmittedAt")).Select(r => (string?)r.GetString("RequestId")).ToList();

        var ids = await IdsAsync("Requests?$orderby=RespondingParty desc,SubmittedAt asc&$select=RequestId");
        var byDate = await IdsAsync("Requests?$orderby=SubmittedAt desc&$select=RequestId");

        Assert.Equal(expected, ids);
        Assert.Equal(requests.OrderByDescending(r => r.GetDateTimeOffset("SubmittedAt")).Select(r => r.GetString("RequestId")), byDate);
    }

    [Fact]
    public async Task Top_skip_and_count()
    {
        var all = (await feed.RowsAsync("Requests")).Select(r => r.GetString("RequestId")).ToList();

        var (_, json) = await GetJsonAsync("Requests?$top=3&$skip=2&$count=true&$select=RequestId");
        var (_, filtered) = await GetJsonAsync("Requests?$filter=RespondingParty eq 'US'&$count=true&$top=1");
        var count = await Http.GetStringAsync("Requests/$count?$filter=RespondingParty eq 'CN'");
        var none = await IdsAsync("Requests?$top=0");

        Assert.Equal(all.Skip(2).Take(3), json.RootElement.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("RequestId").GetString()));
        Assert.Equal(all.Count, json.RootElement.GetProperty("@odata.count").GetInt64());
        Assert.Equal(5, filtered.RootElement.GetProperty("@odata.count").GetInt64());
        Assert.Single(filtered.RootElement.GetProperty("value").EnumerateArray());
        Assert.Equal("5", count);
        Assert.Empty(none);
        Assert.Equal(10, all.Count);
    }

    [Theory]
    [InlineData("Requests?$select=RequestId")]
    [InlineData("Requests?$select=RequestId&$orderby=SubmittedAt desc")]
    [InlineData("Requests?$select=RequestId&$skip=1&$top=7")]
    [InlineData("Requests?$select=RequestId&$orderby=Priority,RequestId desc&$skip=1&$top=7")]
    [InlineData("Requests?$filter=contains(Summary, 'answered')&$select=RequestId&$count=true")]
    [InlineData("RequestEvents?$filter=Pending eq false&$select=RequestId")]
    public async Task Paging_follows_next_links_to_the_end_two_rows_at_a_time(string path)
    {
        var whole = await IdsAsync(path);
        Assert.True(whole.Count > 2, $"{path} has {whole.Count} rows: too few to page");

        var paged = new List<string?>();
        var next = path;
        var pages = 0;
        while (next is not null)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, next) { Headers = { { "Prefer", "odata.maxpagesize=2" } } };
            var response = await Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("odata.maxpagesize=2", response.Headers.GetValues("Preference-Applied").Single());
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var rows = json.RootElement.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("RequestId").GetString()).ToList();
            Assert.InRange(rows.Count, 1, 2);
            paged.AddRange(rows);
            next = json.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
            pages++;
            Assert.True(pages <= whole.Count, "the next links do not end");
        }

        Assert.Equal(whole, paged);
        Assert.Equal((whole.Count + 1) / 2, pages);
    }

    [Fact]
    public async Task A_key_given_as_code_is_kept_in_the_next_links()
    {
        // As Power Query's anonymous OData.Feed("http://127.0.0.1:7071/api/odata/Requests?code=...") reads it.
        using var anonymous = new HttpClient { BaseAddress = Http.BaseAddress };
        var next = $"Requests?code={Key}&$select=RequestId";
        var ids = new List<string?>();
        while (next is not null)
        {
            var response = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Get, next) { Headers = { { "Prefer", "odata.maxpagesize=4" } } });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            ids.AddRange(json.RootElement.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("RequestId").GetString()));
            next = json.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
        }

        Assert.Equal(await IdsAsync("Requests?$select=RequestId"), ids);
    }

    [Fact]
    public async Task Pages_default_to_a_bounded_size()
    {
        var response = await Http.GetAsync("Requests?$select=RequestId");
        var large = new HttpRequestMessage(HttpMethod.Get, "Requests?$select=RequestId") { Headers = { { "Prefer", $"odata.maxpagesize={ODataService.MaxPageSize + 1}" } } };

        Assert.False(response.Headers.Contains("Preference-Applied"));
        Assert.False((await Http.SendAsync(large)).Headers.Contains("Preference-Applied"));
        Assert.Equal(1000, ODataService.MaxPageSize);
    }

    [Fact]
    public async Task One_entity_by_its_key()
    {
        var (status, json) = await GetJsonAsync("Requests(PartitionKey='CN',RowKey='A1')?$select=RequestId,SubmittedAt");
        var (missing, error) = await GetJsonAsync("Requests(PartitionKey='CN',RowKey='B1')");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("A1", json.RootElement.GetProperty("RequestId").GetString());
        Assert.Equal("2026-03-02T01:00:00Z", json.RootElement.GetProperty("SubmittedAt").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing);
        Assert.Equal("NotFound", error.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Theory]
    [InlineData("Requests?$filter=RespondingParty eq", "$filter", "")]
    [InlineData("Requests?$filter=RespondingParty eq 'CN", "$filter", "")]
    [InlineData("Requests?$filter=Nope eq 'CN'", "$filter", "Nope")]
    [InlineData("Requests?$filter=SubmittedAt eq 'yesterday'", "$filter", "Edm.DateTimeOffset")]
    [InlineData("Requests?$filter=UpdateCycle eq true", "$filter", "Edm.Int32")]
    [InlineData("Requests?$filter=tolower(RequestId) eq 'a1'", "$filter", "tolower")]
    [InlineData("Requests?$filter=UpdateCycle add 1 eq 2", "$filter", "Add")]
    [InlineData("Requests?$select=Nope", "$select", "Nope")]
    [InlineData("Requests?$orderby=Nope desc", "$orderby", "Nope")]
    [InlineData("Requests?$top=-1", "$top", "")]
    [InlineData("Requests?$top=ten", "$top", "")]
    [InlineData("Requests?$skip=-3", "$skip", "")]
    [InlineData("Requests?$count=maybe", "$count", "")]
    [InlineData("Requests?$expand=Alerts", "$expand", "unknown query option")]
    [InlineData("Requests?$filter=RequestId eq 'A1'&$filter=RequestId eq 'A2'", "$filter", "given twice")]
    [InlineData("Requests?$skiptoken=forged", "$skiptoken", "nextLink")]
    [InlineData("Nope", "path", "")]
    public async Task A_bad_query_gets_400_in_the_OData_error_format_naming_the_option(string path, string option, string reason)
    {
        var (status, json) = await GetJsonAsync(path);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal("BadRequest", error.GetProperty("code").GetString());
        Assert.Equal(option, error.GetProperty("target").GetString());
        Assert.StartsWith(option + ": ", error.GetProperty("message").GetString());
        Assert.Contains(reason, error.GetProperty("message").GetString());
    }

    private async Task<(HttpStatusCode Status, JsonDocument Json)> GetJsonAsync(string path)
    {
        var response = await Http.GetAsync(path);
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()));
    }

    private async Task<List<string?>> IdsAsync(string path)
    {
        var (status, json) = await GetJsonAsync(path);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {status} {json.RootElement}");
        return [.. json.RootElement.GetProperty("value").EnumerateArray().Select(r => r.GetProperty("RequestId").GetString())];
    }

    private async Task<List<(string, string)>> KeysAsync(string path)
    {
        var (status, json) = await GetJsonAsync(path);
        Assert.True(status == HttpStatusCode.OK, $"{path}: {status} {json.RootElement}");
        return [.. json.RootElement.GetProperty("value").EnumerateArray().Select(r => (r.GetProperty("PartitionKey").GetString()!, r.GetProperty("RowKey").GetString()!))];
    }

    private static IEdmEntityType Type(IEdmModel model, string name) =>
        Assert.IsAssignableFrom<IEdmEntityType>(model.FindDeclaredType($"{ODataModel.Namespace}.{name}"));

    private static string TypeOf(IEdmEntityType type, string property) => type.FindProperty(property).Type.FullName();
}
