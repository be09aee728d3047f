"""nblib: the small library behind *Mathematical Foundations of Neural Networks*.

One module per concept the book teaches:

- ``nblib.nn``          activations, dense layers, the MLP forward and backward pass
- ``nblib.autodiff``    a small reverse-mode (and forward-mode) automatic differentiation engine
- ``nblib.losses``      loss functions and penalties with their gradients
- ``nblib.optim``       first- and second-order optimizers behind one interface
- ``nblib.landscapes``  test functions with exact gradients and Hessians
- ``nblib.data``        seeded synthetic datasets and the 8x8 digits
- ``nblib.training``    a training loop for ``nn.MLP``
- ``nblib.prob``        likelihood fits, calibration, bias and variance, the NNGP kernel, HMC
- ``nblib.info``        entropy, mutual information and KL divergence estimators, coding,
                        the information bottleneck
- ``nblib.theory``      learning-theory bounds: sample sizes, growth functions, Rademacher,
                        cross-validation, double descent, PAC-Bayes
- ``nblib.kernels``     RBF and arc-cosine kernels, random Fourier features, kernel ridge
                        regression, the analytic and empirical neural tangent kernel
- ``nblib.rnn``         a vanilla RNN and an LSTM with backpropagation through time
- ``nblib.dynamics``    Lyapunov spectra, mean-field signal propagation, Hopfield networks
- ``nblib.layers``      batch and layer normalization, residual blocks, scaled dot-product
                        attention, each with its backward pass
- ``nblib.topology``    intrinsic dimension (TwoNN, MLE), Betti numbers over Z/2, Rips
                        persistence in H0 and H1, the bottleneck distance
- ``nblib.numerics``    rounding to float16 / bfloat16, compensated (Kahan–Neumaier) sums,
                        uniform quantization
- ``nblib.quantum``     a state-vector simulator (rotations, CNOT, ⟨Z⟩) and the
                        parameter-shift gradient
- ``nblib.transport``   optimal transport: 1-D Wasserstein distances, the exact Kantorovich
                        plan, Sinkhorn (plain and log-domain), W2 between Gaussians
- ``nblib.plots``       the book's figure style
- ``nblib.widgets``     interactive explorers that also work on the static website
- ``nblib.exercises``   answer checks for the book's exercises

Import the module you need (``from nblib import nn``); nothing heavy is imported here.
"""

__version__ = "0.1.0"
