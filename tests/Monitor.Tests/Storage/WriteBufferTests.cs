using Monitor.Benchmarks;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Core.Storage;
using Monitor.Tests.Infrastructure;

namespace Monitor.Tests.Storage;

/// <summary>
/// The ingest's write buffer against Azurite: which entities travel together (counted on the wire), that a later
/// upsert of the same keys wins, and that schedule marks land after the rows they point at.
/// </summary>
public sealed class WriteBufferTests
{
    [Fact]
    public async Task A_partition_leaves_as_soon_as_it_fills_a_transaction_and_the_rest_at_the_flush()
    {
        var (test, counter) = await StorageAsync();
        await using var _ = test;
        var buffer = new WriteBuffer(parallelism: 4, capacity: 1000);
        var table = test.Storage.Matches;

        for (var i = 0; i < 250; i++)
        {
            await buffer.AddAsync(table, Row("A", i), TableUpdateMode.Replace, CancellationToken.None);
        }
        foreach (var partition in "BCDEFGHIJK")
        {
            for (var i = 0; i < 10; i++)
            {
                await buffer.AddAsync(table, Row(partition.ToString(), i), TableUpdateMode.Replace, CancellationToken.None);
            }
        }
        // Two full batches of A are already on their way; nothing else is.
        await WaitForAsync(() => counter[StorageOperation.TableBatch] == 2);
        await buffer.FlushAsync(CancellationToken.None);

        // A: 100 + 100 + 50; B..K: 10 each.
        Assert.Equal(2 + 1 + 10, counter[StorageOperation.TableBatch]);
        Assert.Equal(13, buffer.Transactions);
        Assert.Equal(350, buffer.EntitiesWritten);
        Assert.Equal(350, (await test.ReadAllAsync<TableEntity>(StorageNames.MatchesTable)).Count);
    }

    [Fact]
    public async Task A_full_buffer_sends_its_largest_partitions_until_half_is_free()
    {
        var (test, counter) = await StorageAsync();
        await using var _ = test;
        var buffer = new WriteBuffer(parallelism: 4, capacity: 200);
        var table = test.Storage.Matches;

        // Round robin over five partitions: at 200 entities each holds 40, and P0, P1, P2 go (200 -> 80 held).
        // The next 100 add 20 to each: P0-P2 hold 20, P3 and P4 hold 60, 180 in all, sent by the flush.
        for (var i = 0; i < 300; i++)
        {
            await buffer.AddAsync(table, Row($"P{i % 5}", i), TableUpdateMode.Replace, CancellationToken.None);
        }
        await WaitForAsync(() => counter[StorageOperation.TableBatch] == 3);
        await buffer.FlushAsync(CancellationToken.None);

        Assert.Equal(8, counter[StorageOperation.TableBatch]);
        var rows = await test.ReadAllAsync<TableEntity>(StorageNames.MatchesTable);
        Assert.Equal(300, rows.Count);
        Assert.All(Enumerable.Range(0, 5), p => Assert.Equal(60, rows.Count(r => r.PartitionKey == $"P{p}")));
    }

    [Fact]
    public async Task A_later_upsert_of_the_same_keys_wins_even_after_the_first_was_sent()
    {
        var (test, _) = await StorageAsync();
        await using var __ = test;
        var buffer = new WriteBuffer(parallelism: 8, capacity: 1000);
        var table = test.Storage.Matches;

        await buffer.AddAsync(table, Row("A", 0, "first"), TableUpdateMode.Replace, CancellationToken.None);
        for (var i = 1; i < 100; i++)
        {
            await buffer.AddAsync(table, Row("A", i), TableUpdateMode.Replace, CancellationToken.None);
        }
        // The first batch (with "first") is sent; the second must not overtake it.
        await buffer.AddAsync(table, Row("A", 0, "second"), TableUpdateMode.Replace, CancellationToken.None);
        // Repeats while still buffered replace the buffered entity.
        await buffer.AddAsync(table, Row("B", 0, "first"), TableUpdateMode.Replace, CancellationToken.None);
        await buffer.AddAsync(table, Row("B", 0, "second"), TableUpdateMode.Replace, CancellationToken.None);
        await buffer.FlushAsync(CancellationToken.None);

        var rows = await test.ReadAllAsync<TableEntity>(StorageNames.MatchesTable);
        Assert.Equal(101, rows.Count);
        Assert.Equal("second", rows.Single(r => r.PartitionKey == "A" && r.RowKey == Key(0)).GetString("Value"));
        Assert.Equal("second", rows.Single(r => r.PartitionKey == "B").GetString("Value"));
    }

    [Fact]
    public async Task Schedule_marks_are_written_after_every_row_they_point_at()
    {
        var (test, _) = await StorageAsync();
        await using var __ = test;
        var buffer = new WriteBuffer(parallelism: 8, capacity: 1000);

        // The mark is added first, among the rows: it must still land last.
        await buffer.AddAfterOthersAsync(test.Storage.SweepSchedule, SweepScheduleKeys.Dirty("R-1", "CN"), TableUpdateMode.Replace, CancellationToken.None);
        for (var i = 0; i < 450; i++)
        {
            await buffer.AddAsync(test.Storage.RequestEvents, Row($"E{i % 9}", i), TableUpdateMode.Replace, CancellationToken.None);
        }
        await buffer.FlushAsync(CancellationToken.None);

        var events = await test.ReadAllAsync<TableEntity>(StorageNames.RequestEventsTable);
        var mark = Assert.Single(await test.ReadAllAsync<TableEntity>(StorageNames.SweepScheduleTable));
        Assert.Equal(450, events.Count);
        Assert.True(mark.Timestamp >= events.Max(e => e.Timestamp), $"mark stored at {mark.Timestamp:O}, last event at {events.Max(e => e.Timestamp):O}");
    }

    [Fact]
    public async Task A_failed_transaction_surfaces_from_the_flush()
    {
        var (test, _) = await StorageAsync();
        await using var __ = test;
        var buffer = new WriteBuffer(parallelism: 2, capacity: 1000);
        var missing = test.Storage.TableService.GetTableClient(test.Prefix + "NoSuchTable");

        await buffer.AddAsync(missing, Row("A", 0), TableUpdateMode.Replace, CancellationToken.None);
        var error = await Assert.ThrowsAsync<TableTransactionFailedException>(() => buffer.FlushAsync(CancellationToken.None));
        Assert.Equal(404, error.Status);
    }

    private static async Task<(TestStorage Test, StorageOperationCounter Counter)> StorageAsync()
    {
        var counter = new StorageOperationCounter(countBatchEntities: true);
        var test = new TestStorage(configure: services => services.AddSingleton<IStoragePolicyProvider>(counter));
        await test.Storage.EnsureCreatedAsync(CancellationToken.None);
        return (test, counter);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = TimeSpan.FromSeconds(30);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < deadline, "condition not met within 30 s");
            await Task.Delay(20);
        }
    }

    private static string Key(int i) => i.ToString("D5");

    private static TableEntity Row(string partition, int i, string value = "v") => new(partition, Key(i)) { ["Value"] = value };
}
