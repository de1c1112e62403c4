using MessagePack;

namespace Rpc25519.JSync.Protocol;

/// <summary>
/// The base of every jsync protocol message. A MessagePack union: the integer tag names the message type, and each
/// message's fields use integer keys, so that renaming a member never changes the wire format.
/// </summary>
[Union(0, typeof(SyncRequest))]
[Union(1, typeof(TreeListing))]
[Union(2, typeof(FileSummary))]
[Union(3, typeof(FileRequestBatch))]
[Union(4, typeof(FilePlan))]
[Union(6, typeof(FileEnd))]
[Union(7, typeof(FileError))]
[Union(8, typeof(SyncComplete))]
[Union(9, typeof(SyncError))]
[Union(10, typeof(ChangeList))]
public abstract class JSyncMessage
{
}
