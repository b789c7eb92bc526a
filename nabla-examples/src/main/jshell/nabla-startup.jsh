// Loaded by `./nabla shell` after JShell's default imports (java.util.*, java.io.*, ...).
import nabla.*;
import nabla.nn.*;
import nabla.optim.*;
import nabla.data.*;
import nabla.train.*;
import nabla.io.*;
// nabla.nn.Module, not java.lang.Module
import nabla.nn.Module;
