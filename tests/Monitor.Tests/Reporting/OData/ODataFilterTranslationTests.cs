using Microsoft.OData.UriParser;
using Monitor.Core.Reporting.OData;
using Monitor.Core.Storage;

namespace Monitor.Tests.Reporting.OData;

/// <summary>
/// Which part of a $filter Table Storage answers (docs/reporting.md, "Which filters use the keys"): the exact text sent,
/// built with TableClient.CreateQueryFilter, and whether the rows are checked again in memory.
/// </summary>
public sealed class ODataFilterTranslationTests
{
    [Theory]
    // A column that is the PartitionKey's source: one partition, and exact.
    [InlineData("Requests", "RespondingParty eq 'CN'", "(PartitionKey eq 'CN') and (RespondingParty eq 'CN')", false)]
    [InlineData("RequestEvents", "RequestId eq 'us-1'", "(PartitionKey eq 'US-1') and (RequestId eq 'us-1')", false)]
    [InlineData("Requests", "PartitionKey eq 'CN' and RowKey ge 'A'", "(PartitionKey eq 'CN') and (RowKey ge 'A')", false)]
    // Typed columns: sent as typed literals.
    [InlineData("Requests", "SubmittedAt ge 2026-03-31T00:00:00+08:00", "SubmittedAt ge datetime'2026-03-30T16:00:00Z'", false)]
    [InlineData("Requests", "UpdateCycle gt 1", "UpdateCycle gt 1", false)]
    [InlineData("FeedRuns", "DurationSeconds lt 2.5", "DurationSeconds lt 2.5", false)]
    // A whole number for a Double column would go out as an Int32 literal, which the table compares with nothing.
    [InlineData("FeedRuns", "DurationSeconds lt 2", null, true)]
    [InlineData("RequestEvents", "Pending", "Pending eq true", false)]
    [InlineData("RequestEvents", "not Pending", "not (Pending eq true)", false)]
    [InlineData("Requests", "Level eq 'overdue' or Level eq 'escalated'", "(Level eq 'overdue') or (Level eq 'escalated')", false)]
    // A quote in a value is doubled by the SDK: it stays inside the literal.
    [InlineData("Requests", "Level eq 'x'' or ''1'' eq ''1'", "Level eq 'x'' or ''1'' eq ''1'", false)]
    // Narrowed by the table, finished here: startswith as a key range, ne and not over a column a row may lack.
    [InlineData("Requests", "startswith(RowKey, 'US-')", "(RowKey ge 'US-') and (RowKey lt 'US.')", true)]
    [InlineData("Requests", "RespondingParty eq 'CN' and contains(Summary, 'late')", "(PartitionKey eq 'CN') and (RespondingParty eq 'CN')", true)]
    [InlineData("Requests", "Level ne 'met'", null, true)]
    [InlineData("Requests", "not (Level eq 'met')", null, true)]
    [InlineData("Requests", "AckMetAt eq null", null, true)]
    [InlineData("Requests", "contains(Summary, 'late') or Level eq 'met'", null, true)]
    public void A_filter_goes_to_the_table_as_far_as_it_means_the_same_there(string set, string filter, string? server, bool residual)
    {
        var translated = Translate(set, filter);

        Assert.Equal(server, translated.Server?.Text);
        Assert.Equal(residual, translated.NeedsResidual);
    }

    [Fact]
    public void A_property_name_cannot_carry_a_filter()
    {
        Assert.Throws<ArgumentException>(() => TableFilter.Compare("Level eq 'x' or true", TableComparison.Equal, "y"));
        Assert.Throws<ArgumentException>(() => TableFilter.Compare("Level", TableComparison.Equal, new object()));
    }

    private static ODataFilter Translate(string set, string filter)
    {
        var root = new Uri("http://localhost/api/odata/");
        var parser = new ODataUriParser(ODataModel.Edm, root, new Uri(root, $"{set}?$filter={Uri.EscapeDataString(filter)}"));
        return ODataFilter.From(parser.ParseFilter(), ODataModel.Find(set)!);
    }
}
