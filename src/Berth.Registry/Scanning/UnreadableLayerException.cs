using Berth.Core.Distribution;
using Berth.Core.Metadata;
using Berth.Core.Storage;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Berth.Scanning.Inventory;

namespace Berth.Registry.Scanning;

/// <summary>A layer the scanner cannot read; the message is the scan's failure reason.</summary>
internal sealed class UnreadableLayerException(string message) : Exception(message);
