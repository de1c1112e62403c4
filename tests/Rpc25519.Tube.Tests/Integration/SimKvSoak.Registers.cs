using Rpc25519.Tube.Client;
using Rpc25519.Tube.Hosting;
using Rpc25519.Tube.StateMachines.Errors;
using Rpc25519.Tube.StateMachines.Kv;
using Rpc25519.Tube.Tests.Harness;

namespace Rpc25519.Tube.Tests.Integration;

/// <summary>
/// The soak's register keys ("r0".."r2", apart from the watched "k" keys): compare-and-swap on the value, deletes,
/// leased writes, plain writes and reads go into the checked history with their outcomes. A write refused because
/// another session holds the key's lease, and a swap refused on its condition, report the key as it was when the
/// refusal was applied, so they enter the history as reads of that value. A reader pinned to one member sends its
/// linearizable reads there, so follower reads (the member forwards the read index request to the leader) are
/// checked too.
/// </summary>
internal static partial class SimKvSoak
{
    private const int Registers = 3;

    private sealed partial class Run
    {
        /// <summary>Acknowledged writes, swaps and deletes of the registers (also counted in Writes).</summary>
        public int RegisterWrites { get; private set; }

        public int RegisterSwaps { get; private set; }

        public int SwapsRefused { get; private set; }

        public int Deletes { get; private set; }

        /// <summary>Writes, swaps and deletes refused on another session's lease.</summary>
        public int LeaseRefusals { get; private set; }

        private async Task RegisterOperationAsync(int worker, TubeClient client, Random rng, long value)
        {
            int register = rng.Next(Registers);
            int dice = rng.Next(100);
            if (dice < 35)
            {
                await SwapAsync(worker, client, register, value);
            }
            else if (dice < 50)
            {
                await DeleteRegisterAsync(worker, client, register);
            }
            else if (dice < 80)
            {
                TimeSpan? lease = dice < 70 ? TimeSpan.FromMilliseconds(rng.Next(100, 400)) : null;
                await WriteRegisterAsync(worker, client, register, value, lease);
            }
            else
            {
                await ReadAsync(worker, client, RegisterSlot(register), dice < 90 ? ReadMode.Linearizable : ReadMode.Lease);
            }
        }

        /// <summary>Reads the register, then swaps a new value in on the value it read (or on its absence).</summary>
        private async Task SwapAsync(int worker, TubeClient client, int register, long value)
        {
            long seen = await ReadRegisterAsync(worker, client, register);
            if (seen < 0)
            {
                return;
            }

            long call = ++clock;
            try
            {
                await client.CompareAndSwapAsync(Table, RegisterKey(register), Value(value),
                    expectedValue: seen == 0 ? null : Value(seen), expectedVersion: seen == 0 ? 0 : null);
                History.Add(Operation.CompareAndSwap(worker, RegisterSlot(register), seen, value, swapped: true, 0,
                    call, ++clock));
                Writes++;
                RegisterWrites++;
                RegisterSwaps++;
            }
            catch (CasMismatchException e)
            {
                History.Add(Operation.CompareAndSwap(worker, RegisterSlot(register), seen, value, swapped: false,
                    ValueOf(e.Current), call, ++clock));
                SwapsRefused++;
            }
            catch (KeyLeasedException e)
            {
                RecordRefusal(worker, register, e, call);
            }
            catch (TubeException e) when (IsUnavailable(e))
            {
                History.Add(Operation.CompareAndSwap(worker, RegisterSlot(register), seen, value, swapped: null, 0,
                    call, long.MaxValue));
                WritesUnknown++;
            }
        }

        private async Task DeleteRegisterAsync(int worker, TubeClient client, int register)
        {
            long call = ++clock;
            try
            {
                await client.DeleteAsync(Table, RegisterKey(register));
                History.Add(Operation.Delete(worker, RegisterSlot(register), call, ++clock));
                Writes++;
                RegisterWrites++;
                Deletes++;
            }
            catch (KeyLeasedException e)
            {
                RecordRefusal(worker, register, e, call);
            }
            catch (TubeException e) when (IsUnavailable(e))
            {
                History.Add(Operation.Delete(worker, RegisterSlot(register), call, long.MaxValue));
                WritesUnknown++;
            }
        }

        private async Task WriteRegisterAsync(int worker, TubeClient client, int register, long value, TimeSpan? lease)
        {
            long call = ++clock;
            try
            {
                await client.PutAsync(Table, RegisterKey(register), Value(value), lease);
                History.Add(new Operation(worker, RegisterSlot(register), IsWrite: true, value, call, ++clock));
                Writes++;
                RegisterWrites++;
            }
            catch (KeyLeasedException e)
            {
                RecordRefusal(worker, register, e, call);
            }
            catch (TubeException e) when (IsUnavailable(e))
            {
                History.Add(new Operation(worker, RegisterSlot(register), IsWrite: true, value, call, long.MaxValue));
                WritesUnknown++;
            }
        }

        /// <summary>A linearizable read of the register, recorded; its value, or -1 when no answer came.</summary>
        private async Task<long> ReadRegisterAsync(int worker, TubeClient client, int register)
        {
            long call = ++clock;
            try
            {
                long value = ValueOf(await client.GetAsync(Table, RegisterKey(register)));
                History.Add(new Operation(worker, RegisterSlot(register), IsWrite: false, value, call, ++clock));
                Reads++;
                return value;
            }
            catch (TubeException e) when (IsUnavailable(e))
            {
                return -1;
            }
        }

        /// <summary>A write refused on another session's lease: a read of the key as the refusal found it.</summary>
        private void RecordRefusal(int worker, int register, KeyConflictException refusal, long call)
        {
            History.Add(new Operation(worker, RegisterSlot(register), IsWrite: false, ValueOf(refusal.Current), call,
                ++clock));
            Reads++;
            LeaseRefusals++;
        }

        /// <summary>Linearizable reads of every key, sent to the one member this client knows (a follower most of the
        /// time: follower reads).</summary>
        private async Task FollowerReaderAsync(TubeClient client, Random rng)
        {
            for (int i = 0; i < OpsPerWorker; i++)
            {
                await cluster.ClientDelayAsync(TimeSpan.FromMilliseconds(rng.Next(10, 120)));
                int slot = rng.Next(Keys + Registers);
                await ReadAsync(Workers, client, slot, ReadMode.Linearizable);
            }
        }

        /// <summary>The history's key number of a register (after the watched keys).</summary>
        private static int RegisterSlot(int register) => Keys + register;

        private static byte[] RegisterKey(int register) => [(byte)'r', (byte)('0' + register)];

        /// <summary>The key of a history slot: a watched key, or a register after them.</summary>
        private static byte[] SlotKey(int slot) => slot < Keys ? Key(slot) : RegisterKey(slot - Keys);

    }
}
