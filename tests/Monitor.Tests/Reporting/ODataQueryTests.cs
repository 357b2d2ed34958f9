using Azure.Data.Tables;
using Monitor.Core.Ingest;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;
using NodaTime;

namespace Monitor.Tests.Reporting;

/// <summary>
/// The tables as a reporting tool reads them: a plain <see cref="TableClient"/> with the literal OData filter that
/// docs/reporting.md shows, no Monitor types, after a seeded scenario was ingested and swept.
/// </summary>
public sealed class ODataQueryTests : IAsyncLifetime
{
    // All "high": acknowledgement P1D, response P5D on the responder's calendar (09:00-17:00 local, Mon-Fri).
    private const string Register = """
        request_id,requesting_party,responding_party,category,priority,submitted_at,summary
        O-1,US,CN,investigation,high,2026-11-16T09:00:00+08:00,due Fri 11-20 17:00 +08; escalates Fri 11-27 17:00 +08 = 09:00Z
        O-2,US,CN,investigation,high,2026-11-18T09:00:00+08:00,due Tue 11-24 17:00 +08; escalates Tue 12-01
        O-3,US,CN,evidence,medium,2026-11-02T09:00:00+08:00,P15D: due Fri 11-20 17:00 +08; escalates Fri 12-11
        O-4,US,CN,investigation,high,2026-11-16T09:00:00+08:00,answered on Wed 11-18
        O-5,CN,US,investigation,high,2026-11-16T09:00:00-05:00,overdue but answered by the other party
        O-6,US,CN,investigation,high,2026-11-25T09:00:00+08:00,not due yet
        """;

    private const string Feed = """
        record_id,reported_at,reporter,kind,request_refs,summary
        R1,2026-11-18T10:00:00+08:00,CN,response,O-4,Answer
        R2,2026-11-18T11:00:00+08:00,CN,acknowledgement,O-2,Received
        """;

    // Friday 2026-11-27 12:00Z = 20:00 in Beijing: O-1 escalated at 09:00Z, O-2 and O-3 overdue.
    private static readonly Instant AsOf = Instant.FromUtc(2026, 11, 27, 12, 0);
    private readonly TestStorage _test = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _test.DisposeAsync();

    [Fact]
    public async Task The_documented_OData_filter_returns_the_overdue_requests_of_one_party()
    {
        await _test.PushAsync("register.csv", Register, FeedKind.Requests);
        await _test.PushAsync("feed.csv", Feed, FeedKind.Incidents, "liaison-cn");
        var summary = await _test.Host.RunOnceAsync(AsOf, null, CancellationToken.None);
        Assert.Empty(summary.Failures);

        // Exactly as docs/reporting.md shows it, with a client that knows nothing of Monitor's types.
        var requests = new TableClient(AzuriteServer.ConnectionString, _test.Storage.Names.Table("Requests"));
        var overdue = new List<TableEntity>();
        await foreach (var row in requests.QueryAsync<TableEntity>("RespondingParty eq 'CN' and ResponseLevel eq 'overdue'"))
        {
            overdue.Add(row);
        }
        Assert.Equal(["O-2", "O-3"], overdue.Select(r => r.GetString("RequestId")).Order(StringComparer.Ordinal));
        Assert.All(overdue, r => Assert.Equal("CN", r.PartitionKey));
        // Typed columns come back typed: the due instant is a DateTimeOffset a tool can compare.
        Assert.Equal(DateTimeOffset.Parse("2026-11-24T09:00:00Z"), overdue.Single(r => r.GetString("RequestId") == "O-2").GetDateTimeOffset("ResponseDueAt"));

        // The date comparison of the docs: overdue requests submitted since 2026-11-10.
        var recent = new List<string?>();
        await foreach (var row in requests.QueryAsync<TableEntity>(
            "RespondingParty eq 'CN' and ResponseLevel eq 'overdue' and SubmittedAt ge datetime'2026-11-10T00:00:00Z'"))
        {
            recent.Add(row.GetString("RequestId"));
        }
        Assert.Equal(["O-2"], recent);

        // The escalated one is not "overdue", and the other party's overdue request is not CN's.
        var levels = (await _test.ReadAllAsync<RequestEntity>(StorageNames.RequestsTable)).ToDictionary(r => r.RequestId, r => r.ResponseLevel);
        Assert.Equal("escalated", levels["O-1"]);
        Assert.Equal("overdue", levels["O-5"]);
        Assert.Equal("met", levels["O-4"]);
        Assert.Equal("pending", levels["O-6"]);

        // The alerts of a date range: the month partition plus a ReachedAt comparison.
        var alerts = new TableClient(AzuriteServer.ConnectionString, _test.Storage.Names.Table("Alerts"));
        var escalations = new List<string?>();
        await foreach (var row in alerts.QueryAsync<TableEntity>(
            "PartitionKey eq '2026-11' and ReachedAt ge datetime'2026-11-27T00:00:00Z' and ReachedAt lt datetime'2026-11-28T00:00:00Z' and Level eq 'escalated'"))
        {
            escalations.Add($"{row.GetString("RequestId")} {row.GetString("Clock")}");
        }
        Assert.Contains("O-1 response", escalations);
    }
}
