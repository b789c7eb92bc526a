package nabla;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For the compile tests ({@code @ExtendWith(FuseSmallTensors.class)}): plans fuse even the small
 * tensors of a test class (they otherwise run groups under {@link
 * CompiledPlan#DEFAULT_MIN_FUSED_ELEMENTS} elements step by step); the default comes back after the
 * class.
 */
final class FuseSmallTensors implements BeforeAllCallback, AfterAllCallback {
  @Override
  public void beforeAll(ExtensionContext context) {
    CompiledPlan.minFusedElements = 1;
  }

  @Override
  public void afterAll(ExtensionContext context) {
    CompiledPlan.minFusedElements = CompiledPlan.DEFAULT_MIN_FUSED_ELEMENTS;
  }
}
