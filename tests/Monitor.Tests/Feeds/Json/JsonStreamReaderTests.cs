using System.Text;
using System.Text.Json;
using Monitor.Core.Feeds;
using Xunit;

namespace Monitor.Tests.Feeds.Json;

public sealed class JsonStreamReaderTests
{
    private sealed record Seen(string Path, string? Json, string? Error, bool Fatal, int[] Indices, long Offset);

    private static async Task<(List<Seen> Items, JsonStreamReader Reader)> ReadAsync(string json, string[] patterns, FeedLimits? limits = null, int bytesPerRead = 0)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var source = bytesPerRead > 0 ? JsonTestFeeds.Trickle("x.json", json, bytesPerRead) : FeedSource.FromBytes("x.json", bytes);
        var stream = await source.OpenAsync(CancellationToken.None);
        var reader = new JsonStreamReader(stream, limits ?? new FeedLimits());
        var items = new List<Seen>();
        await foreach (var item in reader.ReadValuesAsync([.. patterns.Select(JsonPathPattern.Parse)], CancellationToken.None))
        {
            items.Add(new Seen(item.Path, item.IsError ? null : item.Value.GetRawText(), item.Error, item.IsFatal, [.. item.Indices], item.ByteOffset));
        }

        reader.Dispose();
        return (items, reader);
    }

    [Fact]
    public async Task Hands_over_array_elements_with_their_paths_and_offsets()
    {
        var (items, reader) = await ReadAsync("""[{"a":1}, {"b":[1,2]}, 3, "x", null]""", ["$[*]"]);

        Assert.Equal(["$[0]", "$[1]", "$[2]", "$[3]", "$[4]"], items.Select(i => i.Path));
        Assert.Equal(["""{"a":1}""", """{"b":[1,2]}""", "3", "\"x\"", "null"], items.Select(i => i.Json));
        Assert.Equal([1L, 10L, 23L, 26L, 31L], items.Select(i => i.Offset));
        Assert.Equal(JsonValueKind.Array, reader.RootKind);
    }

    [Fact]
    public async Task Walks_nested_paths_and_reports_indices()
    {
        const string json = """
            {"response":[
              {"Event":{"uuid":"e0","Attribute":[{"v":1},{"v":2}],"Object":[{"Attribute":[{"v":3}]},{"Attribute":[]},{"Attribute":[{"v":4},{"v":5}]}]}},
              {"Event":{"Object":[{"Attribute":[{"v":6}]}],"uuid":"e1"}}
            ]}
            """;

        var (items, _) = await ReadAsync(json, ["$.response[*].Event.Attribute[*]", "$.response[*].Event.Object[*].Attribute[*]", "$.response[*].Event.uuid"]);

        Assert.Equal(
            [
                "$.response[0].Event.uuid", "$.response[0].Event.Attribute[0]", "$.response[0].Event.Attribute[1]",
                "$.response[0].Event.Object[0].Attribute[0]", "$.response[0].Event.Object[2].Attribute[0]", "$.response[0].Event.Object[2].Attribute[1]",
                "$.response[1].Event.Object[0].Attribute[0]", "$.response[1].Event.uuid",
            ],
            items.Select(i => i.Path));
        Assert.Equal([0, 2, 1], items[5].Indices);
        Assert.Equal([1, 0, 0], items[6].Indices);
        Assert.Equal("\"e1\"", items[^1].Json);
    }

    [Fact]
    public async Task Skips_unwanted_parts_of_any_size_and_depth_and_finds_what_follows()
    {
        var huge = new string('x', 3_000_000);
        var deep = new string('[', 5000) + new string(']', 5000);
        var json = $$"""{"big":"{{huge}}","deep":{{deep}},"escaped":"a\"]}b\\","objects":[{"id":1}],"after":{"x":[1,{"y":"]"}]},"objects2":[]}""";

        var (items, _) = await ReadAsync(json, ["$.objects[*]", "$.objects2[*]"], new FeedLimits { MaxRecordBytes = 1000, MaxJsonDepth = 16 });

        var item = Assert.Single(items);
        Assert.Equal("$.objects[0]", item.Path);
        Assert.Equal("""{"id":1}""", item.Json);
    }

    [Fact]
    public async Task Reached_tells_an_empty_array_from_a_missing_one()
    {
        var objects = JsonPathPattern.Parse("$.objects[*]");
        var other = JsonPathPattern.Parse("$.other[*]");
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes("""{"objects":[]}""")), new FeedLimits());

        var count = 0;
        await foreach (var _ in reader.ReadValuesAsync([objects, other], CancellationToken.None))
        {
            count++;
        }

        Assert.Equal(0, count);
        Assert.True(reader.Reached(objects));
        Assert.False(reader.Reached(other));
    }

    [Fact]
    public async Task An_invalid_element_is_rejected_and_the_next_one_is_read()
    {
        var (items, _) = await ReadAsync("""[{"a":1,}, xyz, {"b":"ok"}, {"c":[1,2,]}, 5]""", ["$[*]"]);

        Assert.Equal(["$[0]", "$[1]", "$[2]", "$[3]", "$[4]"], items.Select(i => i.Path));
        Assert.Contains("not valid JSON", items[0].Error);
        Assert.Contains("not valid JSON", items[1].Error);
        Assert.Equal("""{"b":"ok"}""", items[2].Json);
        Assert.Contains("not valid JSON", items[3].Error);
        Assert.Equal("5", items[4].Json);
        Assert.All(items, i => Assert.False(i.Fatal));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(0)]
    public async Task An_element_larger_than_the_limit_is_rejected_and_skipped(int bytesPerRead)
    {
        var big = new string('y', 5000);
        var json = $$"""[{"small":1},{"big":"{{big}}","nested":[{"a":"]"}]},"{{big}}",{"small":2}]""";

        var (items, _) = await ReadAsync(json, ["$[*]"], new FeedLimits { MaxRecordBytes = 1024 }, bytesPerRead);

        Assert.Equal(["$[0]", "$[1]", "$[2]", "$[3]"], items.Select(i => i.Path));
        Assert.Contains("larger than the limit of 1024 bytes", items[1].Error);
        Assert.Contains("larger than the limit of 1024 bytes", items[2].Error);
        Assert.Equal("""{"small":2}""", items[3].Json);
    }

    [Fact]
    public async Task An_element_nested_deeper_than_the_limit_is_rejected_and_skipped()
    {
        var json = "[" + new string('[', 40) + new string(']', 40) + """,{"a":{"b":{"c":1}}}]""";

        var (items, _) = await ReadAsync(json, ["$[*]"], new FeedLimits { MaxJsonDepth = 8 });

        Assert.Equal(2, items.Count);
        Assert.Equal("nested deeper than the limit of 8 levels", items[0].Error);
        Assert.False(items[0].Fatal);
        Assert.Equal("""{"a":{"b":{"c":1}}}""", items[1].Json);
    }

    [Theory]
    [InlineData("""[{"a":1},{"b":""", "$[1]")]
    [InlineData("""[{"a":1},""", "$[1]")]
    [InlineData("""{"objects":[{"a":1}""", "$.objects[1]")]
    public async Task A_truncated_file_ends_with_a_fatal_item_after_what_was_complete(string json, string where)
    {
        var (items, _) = await ReadAsync(json, ["$[*]", "$.objects[*]"]);

        Assert.Equal("""{"a":1}""", items[0].Json);
        var last = items[^1];
        Assert.True(last.Fatal);
        Assert.Equal(where, last.Path);
        Assert.Contains("ends inside", last.Error);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("<xml/>")]
    public async Task Not_json_is_one_fatal_item_at_the_root(string text)
    {
        var (items, reader) = await ReadAsync(text, ["$[*]"]);

        var item = Assert.Single(items);
        Assert.True(item.Fatal);
        Assert.Equal("$", item.Path);
        Assert.Equal(JsonValueKind.Undefined, reader.RootKind);
    }

    [Fact]
    public async Task Content_after_the_root_value_is_fatal_after_the_values()
    {
        var (items, _) = await ReadAsync("[1,2] trailing", ["$[*]"]);

        Assert.Equal(["1", "2"], items.Take(2).Select(i => i.Json));
        Assert.True(items[2].Fatal);
        Assert.Contains("after the end of the JSON value", items[2].Error);
    }

    [Fact]
    public async Task Unbalanced_brackets_in_an_array_cannot_be_resynchronised()
    {
        var (items, _) = await ReadAsync("[1 }", ["$[*]"]);

        Assert.Equal("1", items[0].Json);
        Assert.True(items[1].Fatal);
        Assert.Contains("cannot find where the value ends", items[1].Error);
    }

    [Fact]
    public async Task A_byte_order_mark_is_skipped()
    {
        using var reader = new JsonStreamReader(new MemoryStream([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("[42]")]), new FeedLimits());
        var values = new List<string>();
        await foreach (var item in reader.ReadValuesAsync([JsonPathPattern.Parse("$[*]")], CancellationToken.None))
        {
            values.Add(item.Value.GetRawText());
        }

        Assert.Equal(["42"], values);
    }

    [Fact]
    public async Task Ndjson_lines_are_numbered_and_bad_lines_do_not_stop_the_file()
    {
        const string text = "{\"a\":1}\r\n\n   \n{\"b\":\n{\"c\":3}\n" + "{\"d\":4}";
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), new FeedLimits());
        var items = new List<(string Path, string? Error)>();
        await foreach (var item in reader.ReadLinesAsync(CancellationToken.None))
        {
            items.Add((item.Path, item.Error));
        }

        Assert.Equal(["line 1", "line 4", "line 5", "line 6"], items.Select(i => i.Path));
        Assert.Null(items[0].Error);
        Assert.Contains("not valid JSON", items[1].Error);
        Assert.Null(items[2].Error);
        Assert.Null(items[3].Error);
    }

    [Fact]
    public async Task An_ndjson_line_longer_than_the_limit_is_rejected_and_the_next_line_read()
    {
        var text = "{\"a\":1}\n{\"big\":\"" + new string('z', 200_000) + "\"}\n{\"c\":3}\n";
        using var reader = new JsonStreamReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), new FeedLimits { MaxRecordBytes = 1000 });
        var items = new List<(string Path, string? Error)>();
        await foreach (var item in reader.ReadLinesAsync(CancellationToken.None))
        {
            items.Add((item.Path, item.Error));
        }

        Assert.Equal(["line 1", "line 2", "line 3"], items.Select(i => i.Path));
        Assert.Contains("larger than the limit of 1000 bytes", items[1].Error);
        Assert.Null(items[2].Error);
    }

    [Theory]
    [InlineData("objects[*]")]
    [InlineData("$.a..b")]
    [InlineData("$[0]")]
    public void Rejects_unsupported_path_patterns(string text)
    {
        Assert.Throws<FormatException>(() => JsonPathPattern.Parse(text));
    }
}
