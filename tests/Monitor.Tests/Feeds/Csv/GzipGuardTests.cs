using System.IO.Compression;
using System.Text;
using Monitor.Core.Feeds;
using Xunit;
using static Monitor.Tests.Feeds.Csv.CsvTestFeeds;

namespace Monitor.Tests.Feeds.Csv;

public sealed class GzipGuardTests
{
    internal static byte[] Gzip(byte[] content)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(content);
        }

        return output.ToArray();
    }

    [Fact]
    public async Task A_gz_feed_round_trips_through_the_csv_parser_under_its_inner_name()
    {
        var csv = "record_id,indicators\n" + string.Join("\n", Enumerable.Range(1, 5000).Select(i => $"INC-{i},198.51.100.{i % 250}")) + "\n";
        var source = GzipGuard.Decompressing(NonSeekable("partner/feed.csv.gz", Gzip(Encoding.UTF8.GetBytes(csv))), new FeedLimits());

        var entries = await CollectAsync(CsvFeedParser.ParseAsync(source, new FeedLimits(), CancellationToken.None));

        Assert.Equal("partner/feed.csv", source.Name);
        Assert.Equal(5000, entries.OfType<FeedRecord>().Count());
        Assert.Equal("INC-5000", ((FeedRecord)entries[^1]).RecordId);
        Assert.Equal((FeedFormat.Csv, "content: text, not JSON"), await FeedFormatDetector.DetectAsync(source, CancellationToken.None));
    }

    [Fact]
    public async Task A_gzip_file_named_without_gz_is_recognised_by_its_magic_bytes()
    {
        var source = GzipGuard.Decompressing(FeedSource.FromBytes("feed.csv", Gzip(Encoding.UTF8.GetBytes("id,summary\nINC-1,ok\n"))), new FeedLimits());

        var entries = await CollectAsync(CsvFeedParser.ParseAsync(source, new FeedLimits(), CancellationToken.None));

        Assert.Equal("feed.csv", source.Name);
        Assert.Equal("INC-1", Assert.IsType<FeedRecord>(Assert.Single(entries)).RecordId);
    }

    [Fact]
    public async Task A_plain_file_passes_through_unchanged_even_if_named_gz()
    {
        var content = Encoding.UTF8.GetBytes("id,summary\nINC-1,ok\n");
        var source = GzipGuard.Decompressing(FeedSource.FromBytes("feed.csv.gz", content), new FeedLimits());

        await using var stream = await source.OpenAsync(CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal(content, copy.ToArray());
    }

    [Fact]
    public async Task A_gzip_bomb_is_stopped_long_before_it_is_inflated()
    {
        const long inflated = 200L << 20;
        byte[] bomb;
        using (var output = new MemoryStream())
        {
            // Optimal deflate squeezes zeros about 1000:1, five times the default limit ratio.
            using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
            {
                var zeros = new byte[1 << 20];
                for (var written = 0L; written < inflated; written += zeros.Length)
                {
                    gzip.Write(zeros);
                }
            }

            bomb = output.ToArray();
        }

        var source = GzipGuard.Decompressing(NonSeekable("bomb.csv.gz", bomb), new FeedLimits());
        await using var stream = (FeedLimitStream)await source.OpenAsync(CancellationToken.None);
        var buffer = new byte[1 << 16];

        var error = await Assert.ThrowsAsync<FeedLimitException>(async () =>
        {
            while (await stream.ReadAsync(buffer) > 0)
            {
            }
        });

        Assert.Contains("over the limit ratio of 200", error.Message);
        Assert.True(stream.BytesRead < inflated / 2, $"read {stream.BytesRead} bytes before stopping");
        Assert.True(stream.BytesRead <= (200 * stream.SourceBytesRead) + GzipGuard.RatioAllowanceBytes + buffer.Length);
    }

    [Fact]
    public async Task A_bomb_stops_the_csv_parser_with_the_limit_exception()
    {
        var csv = "id,summary\n" + new string('a', 4 << 20);
        var source = GzipGuard.Decompressing(FeedSource.FromBytes("feed.csv.gz", Gzip(Encoding.UTF8.GetBytes(csv))), new FeedLimits { MaxGzipRatio = 2 });

        await Assert.ThrowsAsync<FeedLimitException>(() => CollectAsync(CsvFeedParser.ParseAsync(source, new FeedLimits(), CancellationToken.None)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Feeds_over_the_size_limit_are_refused(bool compressed)
    {
        var content = Encoding.UTF8.GetBytes("id\n" + string.Concat(Enumerable.Repeat("INC-1\n", 1000)));
        var limits = new FeedLimits { MaxFeedBytes = 1000 };
        var source = GzipGuard.Decompressing(FeedSource.FromBytes("feed.csv", compressed ? Gzip(content) : content), limits);

        var error = await Assert.ThrowsAsync<FeedLimitException>(async () =>
        {
            await using var stream = await source.OpenAsync(CancellationToken.None);
            await stream.CopyToAsync(Stream.Null);
        });

        Assert.Equal("the feed is larger than the limit of 1000 bytes", error.Message);
    }

    [Fact]
    public async Task Corrupt_gzip_data_is_a_format_error()
    {
        var broken = Gzip(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("INC-1,some text\n", 5000))));
        Array.Fill(broken, (byte)0xFF, 20, 40);
        var source = GzipGuard.Decompressing(FeedSource.FromBytes("feed.csv.gz", broken), new FeedLimits());

        var error = await Assert.ThrowsAsync<FeedFormatException>(async () =>
        {
            await using var stream = await source.OpenAsync(CancellationToken.None);
            await stream.CopyToAsync(Stream.Null);
        });

        Assert.StartsWith("corrupt gzip data", error.Message);
        Assert.StartsWith("compressed byte ", error.Location);
    }

    private static byte[] Rows(int count) =>
        Encoding.UTF8.GetBytes("record_id,summary\n" + string.Concat(Enumerable.Range(1, count).Select(i => $"INC-{i},text {i * 7919 % 10007}\n")));

    private static async Task<long> InflateAsync(string name, byte[] stored)
    {
        await using var stream = await GzipGuard.Decompressing(FeedSource.FromBytes(name, stored), new FeedLimits()).OpenAsync(CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.Length;
    }

    /// <summary>GZipStream itself reports a clean end for a file cut anywhere inside its data or trailer: the guard must not.</summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(-8)]
    [InlineData(-1)]
    public async Task A_truncated_gzip_file_is_a_format_error_not_a_shorter_feed(double cut)
    {
        var whole = Gzip(Rows(3000));
        var kept = cut < 0 ? whole.Length + (int)cut : (int)(whole.Length * cut);
        var truncated = whole[..kept];

        // What the framework does on its own: a clean, shorter read.
        using (var plain = new GZipStream(new MemoryStream(truncated), CompressionMode.Decompress))
        {
            await plain.CopyToAsync(Stream.Null);
        }

        var error = await Assert.ThrowsAsync<FeedFormatException>(() => InflateAsync("feed.csv.gz", truncated));
        Assert.StartsWith("truncated gzip", error.Message);
        Assert.Equal($"compressed byte {kept}", error.Location);
    }

    [Fact]
    public async Task A_gzip_file_too_short_for_a_header_and_trailer_is_truncated()
    {
        var error = await Assert.ThrowsAsync<FeedFormatException>(() => InflateAsync("feed.csv.gz", Gzip(Rows(10))[..12]));
        Assert.Contains("cannot hold a gzip header and trailer", error.Message);
    }

    [Fact]
    public async Task A_corrupted_trailer_crc_is_a_format_error()
    {
        var broken = Gzip(Rows(3000));
        broken[^8] ^= 0x01;
        await Assert.ThrowsAsync<FeedFormatException>(() => InflateAsync("feed.csv.gz", broken));
    }

    [Fact]
    public async Task Complete_files_pass_the_trailer_check_whole_empty_and_with_several_members()
    {
        var first = Rows(3000);
        var second = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(1, 500).Select(i => $"MORE-{i},x\n")));
        Assert.Equal(first.Length, await InflateAsync("feed.csv.gz", Gzip(first)));
        Assert.Equal(0, await InflateAsync("feed.csv.gz", Gzip([])));
        // `cat a.gz b.gz`: a gzip file may hold several members; the trailer checked is the last one's.
        Assert.Equal(first.Length + second.Length, await InflateAsync("feed.csv.gz", [.. Gzip(first), .. Gzip(second)]));
        var cut = (byte[])[.. Gzip(first), .. Gzip(second)[..^3]];
        await Assert.ThrowsAsync<FeedFormatException>(() => InflateAsync("feed.csv.gz", cut));
    }

    /// <summary>The trailer is the last 8 stored bytes however the storage stream hands them over (here: 3 bytes per read).</summary>
    [Fact]
    public async Task The_trailer_is_found_when_the_stored_stream_returns_a_few_bytes_at_a_time()
    {
        var whole = Gzip(Rows(200));
        async Task<long> TrickleAsync(byte[] stored)
        {
            var source = GzipGuard.Decompressing(new FeedSource("feed.csv.gz", _ => Task.FromResult<Stream>(new TrickleStream(stored))), new FeedLimits());
            await using var stream = await source.OpenAsync(CancellationToken.None);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.Length;
        }

        Assert.Equal(Rows(200).Length, await TrickleAsync(whole));
        await Assert.ThrowsAsync<FeedFormatException>(() => TrickleAsync(whole[..^5]));
    }

    private sealed class TrickleStream(byte[] content) : MemoryStream(content, writable: false)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 3));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 3)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, 3)], cancellationToken);
    }

    [Fact]
    public void Crc_combination_matches_the_crc_of_the_concatenation()
    {
        var random = new Random(7);
        foreach (var (a, b) in new[] { (0, 0), (1, 0), (0, 5), (13, 1000), (70000, 3) })
        {
            var prefix = new byte[a];
            var suffix = new byte[b];
            random.NextBytes(prefix);
            random.NextBytes(suffix);
            var whole = System.IO.Hashing.Crc32.HashToUInt32([.. prefix, .. suffix]);
            var prefixCrc = System.IO.Hashing.Crc32.HashToUInt32(prefix);
            var suffixCrc = System.IO.Hashing.Crc32.HashToUInt32(suffix);
            Assert.Equal(whole, GzipTrailerCheck.Combine(prefixCrc, suffixCrc, b));
            Assert.Equal(suffixCrc, GzipTrailerCheck.SuffixCrc(whole, prefixCrc, b));
        }
    }

    [Fact]
    public async Task A_tiny_file_reads_whole()
    {
        var source = GzipGuard.Decompressing(FeedSource.FromBytes("x.csv", [0x1f]), new FeedLimits());

        await using var stream = await source.OpenAsync(CancellationToken.None);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);

        Assert.Equal([0x1f], copy.ToArray());
    }
}
