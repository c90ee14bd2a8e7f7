package mnist

// Published holds the figures of the papers the experiments reproduce; the
// command line prints them beside ours.
var Published = struct {
	// AutoencoderSqError and PCASqError are the average squared
	// reconstruction errors per test image of the 784-1000-500-250-30
	// autoencoder and of PCA with 30 components (Hinton & Salakhutdinov,
	// Science 2006, Fig. 2B).
	AutoencoderSqError, PCASqError float64
	// BackpropTestError is the test error of the pretrained
	// 784-500-500-2000-10 net fine-tuned by backpropagation (Science 2006).
	BackpropTestError float64
	// DBNTestError is the deep belief net's test error after 300 epochs
	// of up-down (Hinton, Osindero & Teh 2006).
	DBNTestError float64
	// DBMTestError, DBMLogZ and DBMTestLogProb are the 784-500-1000 deep
	// Boltzmann machine's test error, AIS estimate of log Z and test
	// log-probability in nats (Salakhutdinov & Hinton 2009, section 4).
	DBMTestError, DBMLogZ, DBMTestLogProb float64
}{
	AutoencoderSqError: 3.00, PCASqError: 13.87,
	BackpropTestError: 0.012,
	DBNTestError:      0.0125,
	DBMTestError:      0.0095, DBMLogZ: 356.18, DBMTestLogProb: -84.62,
}
