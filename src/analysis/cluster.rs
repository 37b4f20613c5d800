//! Endotype clustering: hierarchical (Ward, average, complete, single) and k-means++, silhouette, stability, PCA.
