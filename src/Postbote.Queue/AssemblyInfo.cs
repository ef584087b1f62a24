using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Postbote.Queue.Tests")]
