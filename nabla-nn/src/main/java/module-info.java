/**
 * Deep learning on top of {@code nabla.core}, with PyTorch's names and shapes: layers and losses
 * ({@code nabla.nn}), optimisers and learning-rate schedules ({@code nabla.optim}), data loading
 * and datasets ({@code nabla.data}), safetensors model files ({@code nabla.io}) and the training
 * loop ({@code nabla.train}).
 *
 * <p>Third-party: Jackson parses the safetensors header; {@code me.tongfei.progressbar} draws the
 * {@link nabla.train.Trainer}'s progress bar (on a terminal only).
 */
module nabla.nn {
  requires transitive nabla.core;
  requires java.net.http; // FashionMnist.download
  requires com.fasterxml.jackson.databind;
  requires me.tongfei.progressbar;
  requires org.jline.terminal; // the terminal's width, asked once per fit

  exports nabla.nn;
  exports nabla.optim;
  exports nabla.data;
  exports nabla.io;
  exports nabla.train;
}
